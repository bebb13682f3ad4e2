"""Channel registry (entry points ``rotascope.channels``) and channel settings validation."""

from __future__ import annotations

import io
import sys
import textwrap
from types import MappingProxyType

import pytest
from click.testing import CliRunner

from rotascope.errors import EXIT_RULES, ParameterError
from rotascope.outputs.alerts import channels as ch
from rotascope.outputs.alerts.rules import ChannelConfig, Location, RulesFileError, parse_rules
from rotascope.outputs.cli.main import cli

FAKE_MODULE = '''
from rotascope.outputs.alerts.channels import Channel, SettingProblem


class FakeChannel(Channel):
    """Collects payloads in a list (a plugin channel for the tests)."""

    kind = "fake"
    sent = []

    @classmethod
    def from_config(cls, config, context):
        obj = cls(config)
        obj.token = context.env.get(config.options.get("token_env", ""), "")
        return obj

    @classmethod
    def validate_options(cls, options):
        if options.get("level", 0) > 3:
            return [SettingProblem("level", "must be at most 3")]
        return []

    def secrets(self):
        return [self.token]

    def send(self, payload, delivery_id):
        self.sent.append((payload, delivery_id, self.token))
        return 1
'''


@pytest.fixture()
def fake_plugin(tmp_path, monkeypatch):
    """A tiny installed distribution declaring channel type ``fake`` (a real dist-info
    on sys.path, found by importlib.metadata like any installed plugin)."""
    root = tmp_path / "site"
    info = root / "rotascope_fake_channel-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rotascope-fake-channel\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[rotascope.channels]\nfake = rotascope_fake_channel:FakeChannel\n"
        "broken = rotascope_fake_channel:NOT_A_CLASS\n")
    (root / "rotascope_fake_channel.py").write_text(FAKE_MODULE + "\nNOT_A_CLASS = 42\n")
    monkeypatch.syspath_prepend(str(root))
    yield
    sys.modules.pop("rotascope_fake_channel", None)


def config(kind: str, **options) -> ChannelConfig:
    return ChannelConfig("c", kind, MappingProxyType(options), Location("r.yaml", 1, 1))


def test_builtin_channels_come_from_the_entry_points():
    found = ch.available_channels()
    for kind, cls in (("console", ch.ConsoleChannel), ("jsonl", ch.JsonlChannel),
                      ("webhook", ch.WebhookChannel), ("email", ch.EmailChannel)):
        # an entry point, not the built-in fallback class (compared by kind, not by class:
        # a test importing distributed may leave a second importlib.metadata module loaded)
        assert not isinstance(found[kind], type), "pip install -e . to refresh the metadata"
        assert found[kind].value == f"rotascope.outputs.alerts.channels:{cls.__name__}"
        assert ch.channel_class(kind) is cls
    out = io.StringIO()
    channel = ch.make_channel(config("console", stream="stdout"), console_stream=out)
    assert isinstance(channel, ch.ConsoleChannel)
    channel.send({"rule": "r", "date": "2024-01-02", "severity": "info",
                  "description": "d"}, "id-1")
    assert out.getvalue() == "[INFO] 2024-01-02 r: d\n"


def test_a_registered_plugin_channel_is_loaded_by_name(fake_plugin):
    assert "fake" in ch.available_channels()
    channel = ch.make_channel(config("fake", token_env="FAKE_TOKEN"),
                              env={"FAKE_TOKEN": "tok-secret-9"})
    assert type(channel).__name__ == "FakeChannel" and channel.secrets() == ["tok-secret-9"]
    assert channel.send({"rule": "x"}, "d-1") == 1
    assert type(channel).sent == [({"rule": "x"}, "d-1", "tok-secret-9")]
    assert ch.validate_settings("fake", {"level": 5}) == ["level: must be at most 3"]
    assert ch.validate_settings("fake", {"level": 1}) == []
    with pytest.raises(ParameterError, match="'broken' .* is not a .*Channel subclass"):
        ch.channel_class("broken")


def test_unknown_channel_type_lists_the_installed_ones(fake_plugin):
    with pytest.raises(ParameterError) as info:
        ch.make_channel(config("webhok"))
    msg = str(info.value)
    assert "unknown channel type 'webhok'; installed: broken, console, email, fake" in msg
    assert msg.endswith("did you mean webhook?")


def rules_text(channel_yaml: str) -> str:
    return textwrap.dedent("""\
        channels:
        {channel}
        rules:
          - id: r1
            channels: [out]
            condition: close(SPY) > 1
        """).format(channel=textwrap.indent(textwrap.dedent(channel_yaml).strip(), "  "))


def problems(text: str, tmp_path) -> list[str]:
    with pytest.raises(RulesFileError) as info:
        parse_rules(text, tmp_path / "rules.yaml")
    assert info.value.exit_code == EXIT_RULES
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(("path", "reason"), [
    ("/dev/full", "is a device or kernel file"),
    ("/proc/self/status", "is a device or kernel file"),
    ("/dev/stdout", "is a device or kernel file"),
])
def test_jsonl_path_on_a_device_or_kernel_file_is_rejected(tmp_path, path, reason):
    got = problems(rules_text(f"out: {{type: jsonl, path: {path}}}"), tmp_path)
    assert len(got) == 1
    # file:line:column of the path value (line 2, after "  out: {type: jsonl, path: ")
    assert got[0].startswith(f"{tmp_path / 'rules.yaml'}:2:28: channel 'out': path: {path}")
    assert reason in got[0]


def test_jsonl_path_that_is_a_directory_or_under_a_file_is_rejected(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "plain.txt").write_text("x")
    got = problems(rules_text("out: {type: jsonl, path: logs}"), tmp_path)
    assert "logs is a directory" in got[0]
    got = problems(rules_text("out: {type: jsonl, path: plain.txt/alerts.jsonl}"), tmp_path)
    assert f"cannot be created: {tmp_path / 'plain.txt'} is not a directory" in got[0]
    # fine: a new file in a directory that does not exist yet (created on delivery)
    rs = parse_rules(rules_text("out: {type: jsonl, path: new/dir/alerts.jsonl}"),
                     tmp_path / "rules.yaml")
    assert rs.channels["out"].options["path"] == str(tmp_path / "new/dir/alerts.jsonl")


def test_header_like_values_with_cr_lf_or_nul_are_rejected(tmp_path):
    text = rules_text('''
        out:
          type: email
          host: "smtp.example.org\\r\\nRCPT TO:<evil@example.org>"
          from: "alerts@example.org"
          to: [pm@example.org]
          subject_prefix: "[rotascope]\\nBcc: evil@example.org"
        ''')
    got = problems(text, tmp_path)
    assert len(got) == 2
    assert ":4:11: channel 'out': host: " in got[0]
    assert "contains a carriage return (CR) and a line feed (LF)" in got[0]
    assert ":7:21: channel 'out': subject_prefix: " in got[1] and "line feed (LF)" in got[1]
    got = problems(rules_text('out: {type: webhook, url: "https://h.example/x\\0y", '
                              'secret_env: S}'), tmp_path)
    assert "url: " in got[0] and "a NUL byte" in got[0]


def test_email_ca_file_must_exist(tmp_path):
    got = problems(rules_text('''
        out: {type: email, host: mx.example.org, from: a@example.org, to: b@example.org,
              ca_file: missing.pem}
        '''), tmp_path)
    assert f"ca_file: {tmp_path / 'missing.pem'} does not exist" in got[0]


def test_alerts_check_exits_6_with_the_location(tmp_path):
    import pandas as pd

    from .conftest import write_store

    write_store(tmp_path / "home" / "store.duckdb",
                {"SPY": pd.Series([1.0, 2.0], index=pd.bdate_range("2024-01-01", periods=2))})
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_text("out: {type: jsonl, path: /dev/full}"))
    res = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "alerts", "check",
                                   str(rules)])
    assert res.exit_code == EXIT_RULES
    assert f"{rules}:2:28: channel 'out': path: /dev/full is a device" in res.output


def test_webhook_honours_a_retry_after_http_date_through_the_shared_policy(monkeypatch):
    import httpx

    from rotascope.data.sources._http import http_date

    now = 1_790_000_000.0
    monkeypatch.setattr("time.time", lambda: now)
    seen = []

    def handler(request):
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, headers={"Retry-After": http_date(now + 12)})
        if len(seen) == 2:
            return httpx.Response(429, headers={"Retry-After": "3600"})
        return httpx.Response(204)

    waits: list[float] = []
    hook = ch.WebhookChannel(config("webhook", url="https://hooks.example/x?token=t-1",
                                    secret_env="S", timeout=5.0, retries=4, backoff=1.0,
                                    max_backoff=60.0,
                                    signature_header="X-Rotascope-Signature"),
                             {"S": "shh"}, waits.append,
                             client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert hook.send({"rule": "r"}, "d-1") == 3
    assert waits == [12.0, 60.0]       # the HTTP date, then 3600 s capped at max_backoff


def test_channels_load_after_the_importlib_metadata_backport_is_imported():
    # dask imports the backport, which then answers entry_points() with its own EntryPoint
    # class: a channel must still load (it did not, once the scan's Dask engine landed).
    pytest.importorskip("importlib_metadata")
    import importlib_metadata  # noqa: F401

    assert ch.channel_class("console") is ch.ConsoleChannel
    assert ch.channel_class("webhook") is ch.WebhookChannel
