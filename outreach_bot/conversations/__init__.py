"""Conversations with families: the engine run for a phone, and carried out.

One active conversation per phone: a family never gets two questions at once. Follow-ups
wait as `scheduled` conversations whose `due_at` the minute tick reads, like every timer.
`service` runs the engine and performs its events; `lifecycle` finds, ends and reaches;
`followups` schedules what comes next; `family` gathers a family's children and context.
"""
