"""The library's folders use each other one way (docs/ARCHITECTURE.md): a folder names types
only of the folders below it in LAYERS, apart from the one edge still to untangle."""
import collections
import os
import re

from report_helpers import REPO

LIBRARY = os.path.join(REPO, "Sources", "FourierLens")

#: Lowest first: a folder may use the types of the folders before it.
LAYERS = ["Support", "Linalg", "Storage", "Spectral", "Probes", "Boolean", "Dump", "Inspect", "Lens", "Runs", "Report"]

#: Arrows that point up, each with why it is still there.
KNOWN_UPWARD = {("Runs", "Report"): "shard merges and the filter's stream write through report types"}

DECLARATION = re.compile(r"^(?:@\w+\s+)*(?:public |internal |fileprivate |private )?(?:final )?"
                         r"(?:struct|enum|class|protocol|typealias|actor)\s+(\w+)", re.M)


def sources():
    texts = collections.defaultdict(str)
    for folder in os.listdir(LIBRARY):
        for directory, _, files in os.walk(os.path.join(LIBRARY, folder)):
            for name in files:
                if name.endswith(".swift"):
                    with open(os.path.join(directory, name)) as f:
                        texts[folder] += f.read() + "\n"
    return texts


def uses():
    """(folder, folder it uses) -> the type names it uses there (top-level types: a nested one is named through its own)."""
    texts = sources()
    owner = {}
    for folder, text in texts.items():
        for match in DECLARATION.finditer(text):
            owner.setdefault(match.group(1), folder)
    edges = collections.defaultdict(set)
    for folder, text in texts.items():
        code = re.sub(r"//.*", "", text)
        code = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', code)
        for word in set(re.findall(r"\b[A-Z]\w*\b", code)):
            if owner.get(word, folder) != folder:
                edges[(folder, owner[word])].add(word)
    return edges


def test_every_folder_is_in_a_layer():
    assert set(sources()) == set(LAYERS)


def test_folders_use_only_the_layers_below_them():
    rank = {folder: index for index, folder in enumerate(LAYERS)}
    upward = {(a, b): sorted(names) for (a, b), names in uses().items() if rank[b] > rank[a]}
    unexpected = {edge: names for edge, names in upward.items() if edge not in KNOWN_UPWARD}
    assert not unexpected, f"folders using types of a folder above them: {unexpected}"
    # A known edge that is gone is news too: take it off the list.
    assert set(KNOWN_UPWARD) <= set(upward), f"no longer used upward: {sorted(set(KNOWN_UPWARD) - set(upward))}"
