"""Grammar-aware mutants of valid inputs, one family per reader, and the oracle that
judges what detente did with each.

Shared by the seeded fuzz tests (``tests/fuzz``) and the long run
(``benchmarks/fuzz.py``). A mutant is ``(name, files)``: ``files`` maps a file name to
its bytes (a GENIUS scenario is a folder of several). The oracle writes the files,
reads them as detente's command line does, and sorts the outcome: ``loaded``,
``refused`` (a :class:`~detente.errors.CaseError` whose every problem names the
file), ``crashed`` (any other exception, or a refusal that does not name the file),
or, in the long run, ``hung`` and ``memory``.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

READERS = ("case", "gmcr", "genius", "ktab_csv", "ktab_xml", "plain_csv")

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = ROOT / "src" / "detente" / "cases"

# Values that break naive code: type changes, extreme and non-finite numbers, long,
# empty, blank and odd unicode text, control characters, deep nesting.
NUMBERS = [
    "0",
    "-0",
    "1",
    "-1",
    "1e308",
    "-1e308",
    "1e-320",
    "1e12",
    "1e13",
    "-1e12",
    ".inf",
    "-.inf",
    ".nan",
    "1e400",
    "99999999999999999999999",
    "0x10",
    "1_000",
    "3.5",
]
TEXTS = [
    '""',
    '"   "',
    "x" * 30_000,
    '"\\e[2J\\e]0;t\\a"',
    '"\\u202egnp.exe"',
    "é" * 50,
    '"\\u0000"',
    "'💥'",
    "null",
    "~",
    "true",
    "no",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    "2022-01-01",
    "&x a",
    "*x",
    "!!python/object:os.system x",
    "'a' 'b'",
    "|",
]
EXPRESSIONS = [
    "not " * 1000 + "a",
    "(" * 300 + "a" + ")" * 300,
    " or ".join(f"a{k}" for k in range(3000)),
    "a and",
    "a iff iff b",
    "true",
    "not false",
]


def _seed_texts(*, large: bool = True) -> list[str]:
    """The small test case and the built-in cases (``large``: korea too, which takes a
    second or two to read)."""
    from tests.conftest import SMALL_CASE

    texts = [SMALL_CASE]
    for path in sorted(BUILT_IN.rglob("*.yaml")):
        if large or path.stat().st_size < 20_000:
            texts.append(path.read_text(encoding="utf-8"))
    return texts


# -- YAML case files -----------------------------------------------------------------


def mutate_yaml(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if not lines:
            break
        k = rng.randrange(len(lines))
        kind = rng.randrange(10)
        line = lines[k]
        if kind == 0:
            del lines[k]
        elif kind == 1:
            lines.insert(k, line)
        elif kind == 2:  # a block duplicated: the line and those indented under it
            indent = len(line) - len(line.lstrip())
            end = k + 1
            while end < len(lines) and (
                not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
            ):
                end += 1
            lines[end:end] = lines[k:end] * rng.choice((1, 2, 50))
        elif kind in (3, 4, 5):  # a value replaced: number, text, type change
            m = re.match(r"^(\s*(?:- )?[A-Za-z_][\w.]*:\s*)(.+)$", line)
            if m:
                value = rng.choice(
                    NUMBERS if kind == 3 else TEXTS if kind == 4 else NUMBERS + TEXTS
                )
                lines[k] = m.group(1) + value
        elif kind == 6:  # an expression made deep or long
            m = re.match(r"^(\s*(?:- )?(?:expr|require|infeasible|attends_if):\s*)(.+)$", line)
            if m:
                lines[k] = m.group(1) + json.dumps(rng.choice(EXPRESSIONS))
            elif "statements: [" in line:
                lines[k] = line.replace(
                    "statements: [", "statements: [" + json.dumps(rng.choice(EXPRESSIONS)) + ", ", 1
                )
        elif kind == 7:  # a name made long, empty or odd
            m = re.match(r"^(\s*(?:- )?(?:name|title|label|id):\s*)(.+)$", line)
            if m:
                lines[k] = m.group(1) + rng.choice(TEXTS)
        elif kind == 8:  # nesting
            depth = rng.choice((70, 1000))
            lines.insert(
                k, "notes: " + rng.choice(("[" * depth + "]" * depth, "\n  " + "- " * depth + "x"))
            )
        else:  # indentation broken
            lines[k] = (" " * rng.randrange(1, 5)) + line if rng.random() < 0.5 else line.lstrip()
    return "\n".join(lines) + "\n"


def case_mutants(
    rng: random.Random, *, large: bool = True
) -> Callable[[], tuple[str, dict[str, bytes]]]:
    seeds = _seed_texts(large=large)

    def one() -> tuple[str, dict[str, bytes]]:
        text = rng.choice(seeds)
        suffix = ".yaml"
        mutant = mutate_yaml(text, rng)
        if rng.random() < 0.15:  # the same case as JSON, mutated as data
            from ruamel.yaml import YAML

            try:
                data = YAML(typ="safe", pure=True).load(text)
                mutant = json.dumps(mutate_data(data, rng), default=str)
                suffix = ".json"
            except Exception:
                pass
        return "case" + suffix, {"case" + suffix: mutant.encode("utf-8", "surrogatepass")}

    return one


# -- JSON data (gmcr-py saves, and case files as JSON) -------------------------------

JSON_VALUES: list = [
    None,
    True,
    False,
    0,
    -1,
    1e308,
    -1e308,
    10**30,
    2**63,
    3.5,
    "",
    "   ",
    "x" * 30_000,
    "\x1b[2J",
    "🙂",
    [],
    {},
    [[]],
    {"a": 1},
    [1, "Y"],
    "Y",
    "N",
    64,
    10**6,
]


def _nodes(data, path=()):
    stack = [(path, data)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if len(path) > 60:
            continue
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))


def _set(data, path, value):
    if not path:
        return value
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


def mutate_data(data, rng: random.Random):
    data = json.loads(json.dumps(data, default=str))
    deepened = False
    for _ in range(rng.choice((1, 1, 2, 3))):
        nodes = list(_nodes(data))
        path, node = rng.choice(nodes)
        kind = rng.randrange(6)
        if kind == 0 and path:  # delete a key or an item
            parent = data
            for key in path[:-1]:
                parent = parent[key]
            del parent[path[-1]]
        elif kind == 1 and isinstance(node, list) and node:  # duplicate items
            node.extend([node[rng.randrange(len(node))]] * rng.choice((1, 2, 100)))
        elif kind == 2 and not deepened:  # deep nesting
            deepened = True
            deep: object = copy.deepcopy(rng.choice(JSON_VALUES))
            for _ in range(rng.choice((70, 500))):
                deep = [deep]
            data = _set(data, path, deep)
        elif kind == 3 and isinstance(node, dict):  # an unknown or odd key
            node[rng.choice(("scenario_id", "x", "", "0", "name"))] = copy.deepcopy(
                rng.choice(JSON_VALUES)
            )
        else:  # a value replaced
            data = _set(data, path, copy.deepcopy(rng.choice(JSON_VALUES)))
    return data


def _gmcr_seeds() -> list[dict]:
    import detente
    from detente.model.io.gmcr_py import case_to_gmcr

    seeds = [json.loads(case_to_gmcr(detente.load(n))) for n in ("chicken", "prisoners_dilemma")]
    options = [
        {"name": f"opt {k}", "permittedDirection": rng_dir}
        for k, rng_dir in enumerate(["both", "fwd", "back", "both", "both", "both"])
    ]
    seeds.append(
        {
            "options": options,
            "decisionMakers": [
                {
                    "name": "A",
                    "options": [0, 1, 2],
                    "preferences": [
                        [[0, "Y"]],
                        {"compound": True, "members": [[[1, "N"]], [[3, "Y"]]]},
                    ],
                },
                {"name": "B", "options": [3, 4, 5], "preferences": [[[4, "Y"], [0, "N"]]]},
            ],
            "infeasibles": [[[0, "Y"], [3, "Y"]]],
            "coalitions": [0, 1],
        }
    )
    return seeds


def gmcr_mutants(rng: random.Random) -> Callable[[], tuple[str, dict[str, bytes]]]:
    seeds = _gmcr_seeds()

    def one() -> tuple[str, dict[str, bytes]]:
        data = mutate_data(rng.choice(seeds), rng)
        if rng.random() < 0.1 and isinstance(data, dict):  # many options
            n = rng.choice((16, 24, 30, 63, 64, 65))
            data["options"] = [{"name": f"o{k}"} for k in range(n)]
            data["decisionMakers"] = [
                {"name": "A", "options": list(range(n // 2)), "preferences": []},
                {"name": "B", "options": list(range(n // 2, n)), "preferences": []},
            ]
        text = json.dumps(data)
        return "save.gmcr", {"save.gmcr": text.encode()}

    return one


# -- XML (GENIUS folders, KTAB scenarios) ---------------------------------------------

GENIUS_DOMAIN = """<?xml version="1.0" encoding="UTF-8"?>
<negotiation_template>
<utility_space>
<objective name="Laptop" index="0">
<issue name="Brand" index="1" type="discrete">
<item index="1" value="Dell"/>
<item index="2" value="Mac"/>
<item index="3" value="HP"/>
</issue>
<issue name="Price" index="2" type="integer">
<range lowerbound="0" upperbound="10"/>
</issue>
<issue name="Speed" index="3" type="real">
<range lowerbound="1.5" upperbound="3.5"/>
</issue>
</objective>
</utility_space>
</negotiation_template>
"""

GENIUS_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<utility_space>
<objective name="Laptop" index="0">
<issue name="Brand" index="1" type="discrete">
<item index="1" value="Dell" evaluation="{a}"/>
<item index="2" value="Mac" evaluation="{b}"/>
<item index="3" value="HP" evaluation="3"/>
</issue>
<issue name="Price" index="2" type="integer">
<range lowerbound="0" upperbound="10"/>
<evaluator ftype="linear" slope="{slope}" offset="{offset}"/>
</issue>
<issue name="Speed" index="3" type="real">
<range lowerbound="1.5" upperbound="3.5"/>
<evaluator ftype="linear" slope="0.5" offset="-0.75"/>
</issue>
<weight index="1" value="0.5"/>
<weight index="2" value="0.3"/>
<weight index="3" value="0.2"/>
</objective>
<reservation value="0.3"/>
<discount_factor value="0.9"/>
</utility_space>
"""

XML_VALUES = [
    *NUMBERS[:-4],
    "",
    " ",
    "x" * 30000,
    "&amp;",
    "&lt;",
    "é",
    "abc",
    "1e308",
    "-5",
    "NaN",
]


def mutate_xml(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.choice((1, 1, 2))):
        k = rng.randrange(len(lines))
        kind = rng.randrange(8)
        if kind == 0:
            del lines[k]
        elif kind == 1:
            lines[k:k] = [lines[k]] * rng.choice((1, 2, 200))
        elif kind in (2, 3):  # an attribute value replaced
            attrs = list(re.finditer(r'(\w+)="([^"]*)"', lines[k]))
            if attrs:
                m = rng.choice(attrs)
                value = rng.choice(XML_VALUES).replace('"', "&quot;")
                lines[k] = lines[k][: m.start(2)] + value + lines[k][m.end(2) :]
        elif kind == 4:  # an element's text replaced
            lines[k] = re.sub(
                r">([^<]*)<",
                ">" + rng.choice(XML_VALUES).replace("<", "&lt;") + "<",
                lines[k],
                count=1,
            )
        elif kind == 5:  # deep nesting
            depth = rng.choice((70, 20_000))
            lines.insert(k, "<a>" * depth + "</a>" * depth)
        elif kind == 6:  # entity declaration
            lines.insert(1, '<!DOCTYPE x [<!ENTITY e "' + "e" * 10 + '">]>')
        else:  # a tag renamed or broken
            lines[k] = (
                lines[k].replace("<", "<x", 1)
                if rng.random() < 0.5
                else lines[k][: len(lines[k]) // 2]
            )
    return "\n".join(lines) + "\n"


def genius_mutants(rng: random.Random) -> Callable[[], tuple[str, dict[str, bytes]]]:
    def one() -> tuple[str, dict[str, bytes]]:
        files = {
            "domain.xml": GENIUS_DOMAIN,
            "buyer.xml": GENIUS_PROFILE.format(a=10, b=5, slope=-0.1, offset=1),
            "seller.xml": GENIUS_PROFILE.format(a=2, b=8, slope=0.1, offset=0),
        }
        target = rng.choice(list(files))
        files[target] = mutate_xml(files[target], rng)
        if rng.random() < 0.05:
            del files[rng.choice(list(files))]
        return "genius", {f"genius/{k}": v.encode() for k, v in files.items()}

    return one


KTAB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
<name>Taxes</name>
<desc>A test</desc>
<prngSeed>42</prngSeed>
<ModelParameters>
<VictoryProbModel>Linear</VictoryProbModel>
<VotingRule>Prop</VotingRule>
</ModelParameters>
<Dimensions>
<dName>Tax</dName>
<dName>Spend</dName>
</Dimensions>
<Actors>
{actors}
</Actors>
<IdealAdjustment>
<iaPair><adjustingIdeal>A0</adjustingIdeal><referencePos>A0</referencePos><adjust>0.8</adjust></iaPair>
<iaPair><adjustingIdeal>A0</adjustingIdeal><referencePos>A1</referencePos><adjust>0.2</adjust></iaPair>
</IdealAdjustment>
</Scenario>
"""


def ktab_xml_mutants(rng: random.Random) -> Callable[[], tuple[str, dict[str, bytes]]]:
    actors = "\n".join(
        f"<Actor>\n<name>A{k}</name>\n<description>actor {k}</description>\n<capability>{10 + k}</capability>\n"
        f"<Position>\n<dCoord>{(k * 23) % 100}</dCoord>\n<dCoord>{(k * 41) % 100}</dCoord>\n</Position>\n"
        f"<Salience>\n<dSal>{20 + k}</dSal>\n<dSal>{30 - k}</dSal>\n</Salience>\n</Actor>"
        for k in range(5)
    )
    seed = KTAB_XML.format(actors=actors)

    def one() -> tuple[str, dict[str, bytes]]:
        return "scenario.xml", {"scenario.xml": mutate_xml(seed, rng).encode()}

    return one


CSV_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1e308",
    "inf",
    "nan",
    "1e12",
    "abc",
    "x" * 30_000,
    "x" * 140_000,
    '"',
    "\x00",
    "é",
    "\x1b[2J",
    "1,5",
]


def mutate_csv(text: str, rng: random.Random, *, header_rows: int) -> str:
    lines = text.splitlines()
    for _ in range(rng.choice((1, 1, 2))):
        k = rng.randrange(len(lines))
        kind = rng.randrange(6)
        if kind == 0:
            del lines[k]
        elif kind == 1:
            lines[k:k] = [lines[k]] * rng.choice((1, 2, 150, 5000))
        elif kind in (2, 3):
            cells = lines[k].split(",")
            cells[rng.randrange(len(cells))] = rng.choice(CSV_VALUES)
            lines[k] = ",".join(cells)
        elif kind == 4:
            lines[k] += "," + rng.choice(CSV_VALUES)
        else:
            lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]
    return "\n".join(lines) + "\n"


def ktab_csv_mutants(rng: random.Random) -> Callable[[], tuple[str, dict[str, bytes]]]:
    seed = "Taxes,A test,5,2,\nActor,Description,Power,Tax,Tax sal,Spend,Spend sal,\n" + "".join(
        f"A{k},actor {k},{10 + k},{(k * 23) % 100},{20 + k},{(k * 41) % 100},{30 - k},\n"
        for k in range(5)
    )

    def one() -> tuple[str, dict[str, bytes]]:
        return "ktab.csv", {
            "ktab.csv": mutate_csv(seed, rng, header_rows=2).encode("utf-8", "surrogatepass")
        }

    return one


def plain_csv_mutants(rng: random.Random) -> Callable[[], tuple[str, dict[str, bytes]]]:
    seed = "actor,capability,position:tax,salience:tax,position:spend,salience:spend\n" + "".join(
        f"a{k},{1 + k},{(k * 23) % 100},{0.2 + k / 10:.1f},{(k * 41) % 100},0.5\n" for k in range(6)
    )

    def one() -> tuple[str, dict[str, bytes]]:
        return "table.csv", {
            "table.csv": mutate_csv(seed, rng, header_rows=1).encode("utf-8", "surrogatepass")
        }

    return one


MUTANTS = {
    "case": case_mutants,
    "gmcr": gmcr_mutants,
    "genius": genius_mutants,
    "ktab_csv": ktab_csv_mutants,
    "ktab_xml": ktab_xml_mutants,
    "plain_csv": plain_csv_mutants,
}


# -- the oracle ------------------------------------------------------------------------


def write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def judge(reader: str, target: Path) -> tuple[str, str]:
    """Read ``target`` as the command line does; ``(outcome, detail)`` where outcome is
    ``loaded``, ``refused`` or ``crashed``."""
    from detente.errors import CaseError

    try:
        if reader in ("ktab_csv", "ktab_xml", "plain_csv"):
            from detente._loading import read_forecast_table

            case = read_forecast_table(target)
            if reader == "ktab_xml":
                from detente.forecast.inputs import parse_ktab_xml

                try:
                    parse_ktab_xml(target.read_text(encoding="utf-8-sig")).smp_kwargs()
                except CaseError as exc:
                    raise CaseError(exc.problems, file=str(target)) from None
        else:
            import detente
            from detente.model.checks import case_warnings

            case = detente.load(target)
            case_warnings(case)
            for sid in case.scenario_ids:
                case_warnings(case.base.scenario(sid))
    except CaseError as exc:
        if exc.exit_code != 2 or not exc.problems:
            return "crashed", f"CaseError without problems: {exc}"
        unnamed = [str(p) for p in exc.problems if not (p.file or "").startswith(str(target))]
        if unnamed:
            return "crashed", f"a problem does not name the file: {unnamed[0][:200]}"
        return "refused", str(exc.problems[0])[:200]
    except RecursionError as exc:
        return "crashed", f"RecursionError: {exc}"
    except Exception as exc:
        return "crashed", f"{type(exc).__name__}: {str(exc)[:200]}"
    return "loaded", f"{len(case.actors)} actors"


def run_one(
    reader: str, folder: Path, name: str, files: dict[str, bytes]
) -> tuple[str, str, float]:
    write(folder, files)
    start = time.perf_counter()
    outcome, detail = judge(reader, folder / name)
    return outcome, detail, time.perf_counter() - start
