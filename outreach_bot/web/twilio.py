"""Twilio's webhooks (placeholder until the inbound path lands)."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("twilio", __name__)
