"""The privacy rule for servers: this machine or a private network, or an explicit opt-in with a warning."""

import pytest

from interviewer.netguard import (
    InvalidServerURL,
    RemoteEndpointRefused,
    check_settings,
    check_url,
    is_private_host,
    is_private_ip,
)
from interviewer.settings import Settings


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.20", "169.254.3.4", "::1", "fd12:3456::1", "fe80::1%eth0", "::ffff:192.168.0.5"],
)
def test_private_addresses(address):
    assert is_private_ip(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "172.32.0.1", "100.64.0.1", "203.0.113.7", "0.0.0.0", "2001:4860::8888", "::ffff:8.8.8.8"])
def test_public_or_unspecified_addresses(address):
    assert not is_private_ip(address)


def test_localhost_names_need_no_lookup():
    # the egress guard makes any other lookup raise, so these pass only without DNS
    assert is_private_host("localhost")
    assert is_private_host("llm.localhost")
    assert is_private_host("[::1]")


def test_names_that_cannot_be_resolved_count_as_remote():
    # the guard blocks the lookup, as a missing resolver would: the name must not be trusted
    assert not is_private_host("llm.example.com")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/v1/", "http://localhost:8000/v1", "https://10.0.0.5/v1", "http://[fd00::5]:8000/v1"])
def test_private_urls_are_accepted(url):
    assert check_url(url, "LLM server", False, "--allow-remote-llm") == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://203.0.113.7:8000/v1", "https://api.example.com/v1", "http://172.32.0.1/v1"])
def test_remote_urls_are_refused_with_the_way_out(url):
    with pytest.raises(RemoteEndpointRefused, match="--allow-remote-llm"):
        check_url(url, "LLM server", False, "--allow-remote-llm")


def test_allowing_a_remote_url_warns_once_that_answers_leave_the_machine():
    said = []
    url = "http://198.51.100.9:8000/v1"
    check_url(url, "LLM server", True, "--allow-remote-llm", said.append)
    check_url(url, "LLM server", True, "--allow-remote-llm", said.append)
    assert len(said) == 1
    assert "leave this machine" in said[0] and "198.51.100.9" in said[0]


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/v1", "127.0.0.1:8080", "http:///v1"])
def test_malformed_urls_are_explained(url):
    with pytest.raises(InvalidServerURL, match="http"):
        check_url(url, "LLM server", False, "--allow-remote-llm")


def test_settings_check_covers_the_llm_server_and_the_chroma_server(tmp_path):
    check_settings(Settings(data_dir=tmp_path))  # embedded defaults: nothing to check
    with pytest.raises(InvalidServerURL, match="INTERVIEWER_LLM_BASE_URL"):
        check_settings(Settings(data_dir=tmp_path, llm_backend="openai-compatible"))
    with pytest.raises(RemoteEndpointRefused, match="LLM server"):
        check_settings(Settings(data_dir=tmp_path, llm_backend="openai-compatible", llm_base_url="http://203.0.113.1/v1"))
    with pytest.raises(RemoteEndpointRefused, match="INTERVIEWER_ALLOW_REMOTE_CHROMA"):
        check_settings(Settings(data_dir=tmp_path, chroma_mode="http", chroma_host="203.0.113.2"))
    said = []
    check_settings(Settings(data_dir=tmp_path, chroma_mode="http", chroma_host="203.0.113.3", allow_remote_chroma=True), said.append)
    assert said and "ingested notes" in said[0]
