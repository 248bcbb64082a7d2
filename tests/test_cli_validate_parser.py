"""`directory validate` is parsed without the staff's commands (cli.build_parser(only_validate=True)):
it must read every command line exactly as the whole parser does, and be used only for validate."""
from __future__ import annotations

import pytest

from directory import cli

# (command line, the command the probe tells): None sends it to the whole parser
PROBES = [
    (["validate"], "validate"),
    (["--root", "lib", "validate", "--format", "json"], "validate"),
    (["--root=lib", "--debug", "validate", "providers/x.yaml"], "validate"),
    (["--ro", "lib", "validate"], "validate"),
    (["--root", "validate"], None),           # the folder is named validate; no command
    (["validate", "-h"], None),
    (["-h"], None),
    (["--root"], None),
    (["report", "--scheme", "validate"], "report"),
    (["new", "validate"], "new"),
    ([], None),
]


@pytest.mark.parametrize("argv, command", PROBES, ids=[" ".join(argv) or "nothing" for argv, _ in PROBES])
def test_the_probe_tells_the_command_only_when_sure(argv, command):
    assert cli._command(argv) == command


VALIDATE_LINES = [
    ["validate"],
    ["--root", "lib", "--debug", "validate", "--format", "github", "--today", "2026-11-23", "a.yaml", "b"],
    ["validate", "a.yaml", "--format=json"],
    ["--ro", "lib", "validate", "--for", "text"],
]


@pytest.mark.parametrize("argv", VALIDATE_LINES, ids=" ".join)
def test_a_validate_line_is_read_as_the_whole_parser_reads_it(argv):
    assert vars(cli.build_parser(only_validate=True).parse_args(argv)) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["validate", "--bogus"], ["validate", "--format", "xml"], ["validate", "--today", "2026-13-01"]],
                         ids=" ".join)
def test_a_wrong_validate_line_gets_the_message_of_the_whole_parser(argv, capsys):
    messages = []
    for parser in (cli.build_parser(only_validate=True), cli.build_parser()):
        with pytest.raises(SystemExit) as exit:
            parser.parse_args(argv)
        messages.append((exit.value.code, capsys.readouterr().err))
    assert messages[0] == messages[1]
    assert messages[0][0] == 2 and "用法错误" in messages[0][1]
