"""SQLAlchemy models, one module per noun group; import them from here."""

from outreach_bot.db import Base
from outreach_bot.models.api_token import ApiToken
from outreach_bot.models.attendance import (
    AttendanceRecord,
    AttendanceSummary,
    CalendarDay,
    TriggerFiring,
)
from outreach_bot.models.attendance_year import AttendanceYear
from outreach_bot.models.chronic_count import ChronicCount, ChronicCountChange, ChronicCountsTaken
from outreach_bot.models.conversation import BarrierReport, Conversation
from outreach_bot.models.escalation import ContactAttempt, Escalation
from outreach_bot.models.message import Message, StatusCallback
from outreach_bot.models.notice import Notice, NoticePrint
from outreach_bot.models.oneroster import OneRosterRecord
from outreach_bot.models.resource import Resource
from outreach_bot.models.roster import Guardian, PhoneNumber, School, Student
from outreach_bot.models.scan import ScanBatch
from outreach_bot.models.staff import (
    AuditEvent,
    DistrictSetting,
    LoginThrottle,
    StaffNotice,
    User,
    UserSchool,
)
from outreach_bot.models.sync import NightlySync

__all__ = [
    "ApiToken",
    "AttendanceRecord",
    "AttendanceYear",
    "AttendanceSummary",
    "AuditEvent",
    "BarrierReport",
    "Base",
    "CalendarDay",
    "ChronicCount",
    "ChronicCountChange",
    "ChronicCountsTaken",
    "ContactAttempt",
    "Conversation",
    "DistrictSetting",
    "Escalation",
    "Guardian",
    "LoginThrottle",
    "Message",
    "NightlySync",
    "Notice",
    "NoticePrint",
    "OneRosterRecord",
    "PhoneNumber",
    "Resource",
    "ScanBatch",
    "School",
    "StaffNotice",
    "StatusCallback",
    "Student",
    "TriggerFiring",
    "User",
    "UserSchool",
]
