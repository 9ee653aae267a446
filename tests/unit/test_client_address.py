"""Who is on the other end of a request: the forwarded address is believed only from a trusted proxy."""

from __future__ import annotations

import pytest

from intervision.client_address import TrustedProxies, client_address, plain_address

UVICORNS_DEFAULT = "127.0.0.1,::1"


@pytest.mark.parametrize(
    ("address", "plain"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("::FFFF:172.17.0.1", "172.17.0.1"),
        ("127.0.0.1", "127.0.0.1"),
        ("2001:db8::7", "2001:db8::7"),
        ("::1", "::1"),
        ("testclient", "testclient"),
        (None, None),
    ],
)
def test_an_ipv4_address_seen_through_an_ipv6_socket_is_written_as_ipv4(address, plain):
    assert plain_address(address) == plain


@pytest.mark.parametrize(
    ("setting", "peer", "trusted"),
    [
        ("127.0.0.1", "::ffff:127.0.0.1", True),  # the documented value, on a server listening on "::"
        ("127.0.0.1", "127.0.0.1", True),
        (UVICORNS_DEFAULT, "::1", True),
        ("172.17.0.1", "::ffff:172.17.0.1", True),
        ("172.18.0.0/16", "::ffff:172.18.3.4", True),
        ("172.18.0.0/16", "172.19.0.1", False),
        ("::ffff:127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "::ffff:10.0.0.1", False),
        ("*", "::ffff:198.51.100.4", True),
        ("", "127.0.0.1", False),
        ("127.0.0.1", None, False),
    ],
)
def test_a_proxy_is_trusted_by_its_address_however_the_socket_writes_it(setting, peer, trusted):
    assert TrustedProxies(setting).trusts(peer) is trusted


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # behind the proxy on the same host: the browser's address from the header
        ("::ffff:127.0.0.1", "203.0.113.50", "203.0.113.50"),
        ("127.0.0.1", "203.0.113.50", "203.0.113.50"),
        # the rightmost address the trusted proxies did not add themselves
        ("::ffff:127.0.0.1", "198.51.100.1, 203.0.113.50, 127.0.0.1", "203.0.113.50"),
        ("::ffff:127.0.0.1", "::ffff:203.0.113.50", "203.0.113.50"),
        # no header from the proxy: the proxy itself
        ("::ffff:127.0.0.1", None, "127.0.0.1"),
        ("::ffff:127.0.0.1", "", "127.0.0.1"),
        # somebody else sending the header is not believed
        ("::ffff:198.51.100.9", "127.0.0.1", "198.51.100.9"),
        ("2001:db8::9", "203.0.113.50", "2001:db8::9"),
        (None, "203.0.113.50", None),
    ],
)
def test_the_forwarded_address_is_believed_only_from_a_trusted_proxy(peer, forwarded_for, client):
    assert client_address(peer, forwarded_for, TrustedProxies("127.0.0.1")) == client


def test_ports_and_brackets_in_the_forwarded_header_are_left_out():
    trusted = TrustedProxies("127.0.0.1")
    assert client_address("127.0.0.1", "203.0.113.50:4711", trusted) == "203.0.113.50"
    assert client_address("127.0.0.1", "[2001:db8::5]:4711", trusted) == "2001:db8::5"


def test_when_every_forwarded_address_is_trusted_the_first_is_the_client():
    assert client_address("127.0.0.1", "10.0.0.5, 10.0.0.6", TrustedProxies("127.0.0.1,10.0.0.0/8")) == "10.0.0.5"
