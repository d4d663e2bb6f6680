import logging

from members import sms


def test_capture_backend_keeps_messages(settings):
    settings.SMS_BACKEND = "members.sms.CaptureBackend"
    sms.outbox.clear()
    sms.sms_send(phone="13912345678", message="code 123456")
    assert sms.outbox == [{"phone": "13912345678", "message": "code 123456"}]


def test_log_backend_writes_the_message_with_the_number_masked(settings, caplog):
    settings.SMS_BACKEND = "members.sms.LogBackend"
    with caplog.at_level(logging.INFO, logger="members.sms"):
        sms.sms_send(phone="13912345678", message="code 654321")
    assert "code 654321" in caplog.text
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
