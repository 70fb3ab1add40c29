"""Alert delivery: e-mail over SMTP (:mod:`smtplib`) and a webhook POST of Slack-compatible JSON
(``{"text": ...}``, :mod:`urllib`). One message per channel and run lists every new finding and the
next steps; nothing is sent when no finding is new.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from typing import Any

from fairmend.errors import FairmendError, InvalidParameterError


class AlertDeliveryError(FairmendError):
    """An alert could not be delivered (it is retried on the next run)."""

    exit_code = 1


def compose(
    findings: list[dict[str, Any]], *, window_end: str, steps: list[str], report: str | None, source: str
) -> tuple[str, str]:
    """(subject, body) of one alert listing ``findings`` and the suggested next steps."""
    n = len(findings)
    subject = f"{n} fairness/drift alert{'s' if n != 1 else ''} for the days up to {window_end[:10]}"
    lines = [
        (
            f"fairmend monitor ({source}): {n} new finding{'s' if n != 1 else ''} in the windows ending "
            f"{window_end[:10]} (00:00 UTC)."
        ),
        "",
        "What fired:",
    ]
    lines += [f"- {f['message']}" for f in findings]
    if steps:
        lines += ["", "Suggested next steps:"]
        lines += [f"- {s}" for s in steps]
    if report:
        lines += ["", f"Report with trend charts: {report}"]
    return subject, "\n".join(lines) + "\n"


def send_email(settings: dict[str, Any], subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, settings["sender"], ", ".join(settings["to"])
    msg.set_content(body)
    password = None
    if settings["password_env"]:
        password = os.environ.get(settings["password_env"])
        if password is None:
            raise InvalidParameterError(
                f"config: alerts.email.password_env names {settings['password_env']!r}, "
                "which is not set in the environment"
            )
    cls = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    try:
        with cls(settings["host"], settings["port"], timeout=settings["timeout"]) as smtp:
            if settings["starttls"]:
                smtp.starttls(context=ssl.create_default_context())
            if settings["username"]:
                smtp.login(settings["username"], password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertDeliveryError(f"e-mail to {settings['host']}:{settings['port']} failed: {exc}") from exc


def webhook_url(settings: dict[str, Any]) -> str:
    if settings["url"]:
        return str(settings["url"])
    url = os.environ.get(settings["url_env"])
    if not url or not url.startswith(("http://", "https://")):
        raise InvalidParameterError(
            f"config: alerts.webhook.url_env names {settings['url_env']!r}, which does not "
            "hold an http(s) URL in the environment"
        )
    return url


def send_webhook(settings: dict[str, Any], subject: str, body: str) -> None:
    url = webhook_url(settings)
    payload = json.dumps({"text": f"*{subject}*\n{body}"}).encode("utf-8")
    request = urllib.request.Request(
        url, data=payload, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings["timeout"]) as response:
            response.read()
    except (OSError, urllib.error.URLError) as exc:
        parts = urllib.parse.urlsplit(url)
        shown = f"{parts.scheme}://{parts.hostname}"  # Slack-style URLs carry their token in the path
        raise AlertDeliveryError(f"webhook POST to {shown} failed: {exc}") from exc


CHANNELS = {"email": send_email, "webhook": send_webhook}
