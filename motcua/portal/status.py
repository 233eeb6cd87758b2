"""What a citizen reads about a dossier's state: its name and the next step to expect."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from motcua.workflow import State
from motcua.workflow.states import state_label as workflow_state_label

NEXT_STEPS = {
    State.SUBMITTED: _("Bộ phận Một cửa kiểm tra hồ sơ: tiếp nhận, hướng dẫn bổ sung hoặc từ chối."),
    State.INTAKE_SUPPLEMENT_REQUESTED: _("Bạn cần bổ sung, hoàn thiện hồ sơ theo hướng dẫn rồi gửi lại."),
    State.INTAKE_REFUSED: _("Hồ sơ không được tiếp nhận; xem lý do trong thông báo."),
    State.RECEIVED: _("Hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết."),
    State.IN_PROCESSING: _("Cơ quan có thẩm quyền đang thẩm định, giải quyết hồ sơ."),
    State.PROCESSING_SUPPLEMENT_REQUESTED: _("Bạn cần nộp bổ sung giấy tờ theo thông báo."),
    State.AWAITING_FINANCIAL_OBLIGATION: _("Bạn cần thực hiện nghĩa vụ tài chính theo thông báo."),
    State.WITHDRAWAL_REQUESTED: _("Bộ phận Một cửa xử lý yêu cầu rút hồ sơ."),
    State.STOPPED: _("Việc giải quyết hồ sơ đã dừng."),
    State.REFUSED_AFTER_APPRAISAL: _("Hồ sơ không đủ điều kiện; nhận văn bản trả lời."),
    State.RESULT_READY: _("Kết quả đã có: nhận tại nơi trả kết quả hoặc tải bản điện tử."),
    State.RETURNED: _("Đã trả kết quả. Hồ sơ kết thúc."),
}


def state_label(state: str) -> str:
    if state not in State._value2member_map_:
        return state
    return workflow_state_label(State(state), get_language())


def next_step(state: str) -> str:
    if state not in State._value2member_map_:
        return ""
    return str(NEXT_STEPS.get(State(state), ""))
