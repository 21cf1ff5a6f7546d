"""What the fixture writers of the instrument folders share (fia/, fia2/ and sue/make_fixtures.py):
writing a JSON file as the fixtures are written, findings as the validator reports them, the
invalid documents made from a complete one with one defect each, and the one document with a
repeated key, which json.dump cannot write. Each writer adds this folder to its path and runs from
its own folder."""
import copy, json

# The areas of FIA's social situation (the same 14 in version 1 and 2).
FIA_AREAS = ["boende", "situationen_hemma", "socialt_natverk", "kroppslig_halsa", "psykisk_halsa",
             "funktionsnedsattning", "alkohol_droger", "ovriga_beroenden", "overgrepp_tvang",
             "utsatthet_brott", "rattslig_situation", "skulder", "narstaendes_problem", "barnens_situation"]


def write(path, value):
    """`value` as indented UTF-8 JSON with a final newline."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def findings(expected):
    """(severity, code, path) triples as the validator's findings."""
    return [dict(zip(("severity", "code", "path"), e)) for e in expected]


class Cases:
    """Invalid documents, each a copy of `complete` changed by one mutation, with the findings
    it must get."""

    def __init__(self, complete):
        self.complete = complete
        self.cases = {}

    def case(self, name, mutate, expected):
        doc = copy.deepcopy(self.complete)
        mutate(doc["answers"], doc)
        self.cases[name] = (doc, findings(expected))

    def write(self):
        """Writes invalid/<name>.json and invalid/<name>.expected.json for every case."""
        for name, (doc, expected) in self.cases.items():
            write(f"invalid/{name}.json", doc)
            write(f"invalid/{name}.expected.json", expected)


def repeat_key(path, line, repeated):
    """Adds `repeated` (the same key with another value) after the first `line` of the file at
    `path`: a JSON object with a repeated key."""
    text = open(path, encoding="utf-8").read()
    text = text.replace(line, line + "\n    " + repeated, 1)
    open(path, "w", encoding="utf-8").write(text)
