"""Demo data for `make demo`: the real units of one province, its agencies, staff logins and calendars."""
