"""Words for the codes stored in the database (priorities, reasons, barriers, statuses).

Plain data, marked for the dashboard catalog (`N_`); `outreach_bot.web.labels` translates them
for the person reading, and `flows check` uses them to find a reason nobody has named.
"""

from __future__ import annotations

from collections.abc import Iterable


def N_(text: str) -> str:
    """Mark a string for extraction; it is translated when shown."""
    return text


LABELS = {
    # priorities and levels
    "urgent": N_("Urgent"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
    "school": N_("School staff"),
    "school_lead": N_("School lead"),
    "district": N_("District"),
    "clerk": N_("Attendance clerk"),
    "district_admin": N_("District admin"),
    # why a case was opened
    "no_reply": N_("No reply"),
    "asked_for_a_person": N_("Asked for a person"),
    "asked_for_a_call": N_("Asked for a call"),
    "reply_not_understood": N_("Reply not understood"),
    "family_texted": N_("Family texted"),
    "unknown_number": N_("Unknown number texted"),
    "undeliverable": N_("Texts cannot be delivered"),
    "consecutive_absences": N_("Absent several days in a row"),
    "other_barrier": N_("Something else keeps the child home"),
    "help_did_not_work": N_("The help sent did not work"),
    "truancy_notice": N_("Attendance notice: call the family, mail the letter"),
    # the stages of a truancy notice (flows/notices/)
    "first": N_("First notice"),
    "second": N_("Second notice"),
    "conference": N_("Conference notice"),
    # barriers
    "transportation": N_("Getting to school"),
    "health": N_("Health"),
    "housing": N_("Housing"),
    "food": N_("Food"),
    "childcare": N_("Childcare"),
    "work_schedule": N_("Work schedule"),
    "safety": N_("Safety"),
    "bullying": N_("Bullying"),
    "anxiety": N_("Worry or sadness"),
    "disengagement": N_("Does not want to go"),
    "other": N_("Other"),
    # contact attempts and case outcomes
    "call": N_("Phone call"),
    "text": N_("Text message"),
    "home_visit": N_("Home visit"),
    "meeting": N_("Meeting"),
    "reached": N_("Reached the family"),
    "no_answer": N_("No answer"),
    "left_message": N_("Left a message"),
    "wrong_number": N_("Wrong number"),
    "plan_made": N_("Made a plan together"),
    "help_referred": N_("Referred to help"),
    "returning": N_("Student is coming back"),
    "no_help_needed": N_("No help needed"),
    # phones
    "ok": N_("OK"),
    "opted_out": N_("Opted out (STOP)"),
    # attendance
    "present": N_("Present"),
    "tardy": N_("Tardy"),
    "absent": N_("Absent"),
    "excused": N_("Excused absence"),
    "unexcused": N_("Unexcused absence"),
    "satisfactory": N_("Satisfactory"),
    "at_risk": N_("At risk"),
    "moderate_chronic": N_("Moderate chronic absence"),
    "severe_chronic": N_("Severe chronic absence"),
    # messages
    "inbound": N_("From the family"),
    "outbound": N_("To the family"),
    "pending": N_("Waiting to send"),
    "queued": N_("Queued"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "suppressed": N_("Not sent"),
    "received": N_("Received"),
    "open": N_("Open"),
    "closed": N_("Closed"),
}

# Reasons the code itself opens cases for (the flows and triggers.yaml name the others).
CODE_REASONS = ("family_texted", "unknown_number", "undeliverable")


def unlabelled(codes: Iterable[str]) -> list[str]:
    """The codes the dashboard has no words for (staff would see them raw), sorted."""
    return sorted({code for code in codes if code not in LABELS})
