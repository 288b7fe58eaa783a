"""Nothing leaves the machine: the offline switches are set, and the egress guard really blocks."""

import os
import socket

import pytest


def test_offline_environment_is_forced():
    import interviewer.offline as offline

    for key, value in offline.OFFLINE_ENV.items():
        assert os.environ[key] == value


def test_egress_guard_blocks_non_loopback(egress_guard_active):
    with pytest.raises(OSError, match="egress blocked"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    with pytest.raises(OSError, match="egress blocked"):
        socket.getaddrinfo("huggingface.co", 443)


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


@pytest.mark.slow
def test_chroma_client_has_telemetry_off(knowledge):
    assert knowledge.index.client.get_settings().anonymized_telemetry is False


def test_server_defaults_to_loopback():
    from interviewer.settings import Settings
    from interviewer.ui.server import is_loopback, parse_auth

    assert Settings().host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert parse_auth("ana:s3cret") == ("ana", "s3cret")
    with pytest.raises(ValueError):
        parse_auth("no-colon")
