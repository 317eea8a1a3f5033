"""Every write of organisational life: meetings (record, update, close, reopen, attachments,
the audited export), observers (列席旁听), appraisal results (民主评议党员), 送学上门 visits, the
tenant's credit rules per kind of meeting, and the reminders before a required meeting falls
due. One module per concern; callers import the module they need."""
