"""The library's folders use each other one way (docs/ARCHITECTURE.md): a folder names types
only of the folders below it in LAYERS, no chain of uses leads back to where it starts, and the
picture in docs/ARCHITECTURE.md draws exactly these uses."""
import collections
import os
import re

from report_helpers import REPO

LIBRARY = os.path.join(REPO, "Sources", "FourierLens")

#: Lowest first: a folder may use the types of the folders before it.
LAYERS = ["Support", "Linalg", "Charts", "Storage", "Spectral", "Probes", "Dump", "Boolean", "Inspect", "Lens", "Inputs", "PromptFiles", "Runs", "Merge", "Report"]

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
    assert not upward, f"folders using types of a folder above them: {upward}"


def cycle(edges):
    """A chain of folders that leads back to its start, or None."""
    following = collections.defaultdict(set)
    for a, b in edges:
        following[a].add(b)
    state = {}

    def visit(folder, path):
        state[folder] = "open"
        for other in sorted(following[folder]):
            if state.get(other) == "open":
                return path[path.index(other):] + [other]
            if other not in state and (found := visit(other, path + [other])):
                return found
        state[folder] = "done"
        return None

    for folder in sorted(following):
        if folder not in state and (found := visit(folder, [folder])):
            return found
    return None


def test_no_chain_of_uses_comes_back():
    # Whatever the order of LAYERS, the graph itself has no cycle (Runs → Report → Runs was one).
    found = cycle(uses())
    assert found is None, "folders that use each other round a cycle: " + " → ".join(found)


def test_the_cycle_check_finds_one():
    assert cycle({("Runs", "Report"), ("Report", "Runs"), ("Report", "Storage")}) == ["Report", "Runs", "Report"]
    assert cycle({("Report", "Runs"), ("Runs", "Storage")}) is None


def drawn():
    """docs/ARCHITECTURE.md's picture of the folders: (folder, folder it uses) for every arrow."""
    with open(os.path.join(REPO, "docs", "ARCHITECTURE.md")) as f:
        text = f.read()
    picture = text.split("## The library's folders")[1].split("```")[1]
    edges, sources = set(), []
    for line in picture.splitlines():
        if "►" in line:
            left, right = line.split("►")
            sources = [name.strip() for name in left.strip(" ─").split(",")]
        elif not line.startswith(" ") or not sources:
            continue  # a folder with no arrow (Support)
        else:
            right = line
        for target in (name.strip() for name in right.split(",")):
            if target:
                edges |= {(source, target) for source in sources}
    return edges


def test_the_picture_in_the_architecture_page_is_the_graph():
    assert drawn() == set(uses()), f"drawn but not used: {sorted(drawn() - set(uses()))}; used but not drawn: {sorted(set(uses()) - drawn())}"
