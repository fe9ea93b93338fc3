"""Reading and verifying a photo's C2PA manifest: :func:`read_credentials`.

A file :mod:`.scan` finds no manifest in is :data:`NO_CREDENTIALS` at once, and c2pa
is not imported. Otherwise c2pa-python (the reference c2pa-rs) reads the manifest
store and verifies it against the trust list in use (:func:`.trust.trust_list`),
with every network access off: no remote manifest, no OCSP, no host allowed. The
result is cached in memory by path, size, mtime (and the sidecar's, and the trust
list), so a photo is verified once however often it is shown.

:func:`read_credentials` never raises and is safe to call from several threads.
Every string in the result is as the file has it (cut to :data:`MAX_TEXT`
characters): whoever shows it cleans it (``text.clean``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..lru import LRU
from .model import (
    INVALID,
    NO_CREDENTIALS,
    NONE,
    TRUSTED,
    UNKNOWN_SIGNER,
    UNREADABLE,
    Action,
    Credentials,
)
from .scan import SIDECAR, manifest_kind, sidecar_path
from .trust import TrustList, trust_list

if TYPE_CHECKING:
    import c2pa

__all__ = [
    "CACHE",
    "MAX_TEXT",
    "clear_cache",
    "credentials_from_store",
    "problem_for",
    "read_credentials",
    "reader_settings",
]

MAX_TEXT: Final = 200
"""Characters kept of any string from a manifest: a hostile one cannot flood the screen."""
MAX_ITEMS: Final = 64
"""Actions and ingredient source types kept at most."""
MAX_SIDECAR: Final = 64 * 1024 * 1024
"""A ``.c2pa`` sidecar larger than this is not read."""

CACHE: LRU[tuple[Any, ...], Credentials] = LRU(4096)
"""Credentials read, by (path, size, mtime_ns, sidecar's size and mtime, trust list)."""

_contexts: dict[str, c2pa.Context] = {}
_contexts_lock = threading.Lock()

TRUST_CODES: Final = frozenset({"signingCredential.untrusted"})
"""Failure codes that only say the signer is not on the trust list."""

_EDITED = "edited after signing: the image no longer matches what was signed"
PLAIN_WORDS: Final = (
    ("assertion.dataHash.mismatch", _EDITED),
    ("assertion.bmffHash.mismatch", _EDITED),
    ("assertion.boxesHash.mismatch", _EDITED),
    ("assertion.collectionHash.mismatch", _EDITED),
    ("claimSignature.mismatch", "the signature does not match the claim"),
    ("claimSignature.missing", "the claim is not signed"),
    ("signingCredential.revoked", "the signing certificate has been revoked"),
    ("signingCredential.expired", "the signing certificate had expired when it signed"),
    ("signingCredential.invalid", "the signing certificate is not valid"),
    ("assertion.hashedURI.mismatch", "an assertion was changed after signing"),
    ("assertion.missing", "an assertion the claim lists is missing"),
    ("ingredient.manifest.missing", "the credentials of an ingredient are missing"),
    ("ingredient.manifest.mismatch", "the credentials of an ingredient were changed"),
    ("ingredient.hashedURI.mismatch", "the credentials of an ingredient were changed"),
    ("timeStamp.mismatch", "the time-stamp does not match the signature"),
    ("algorithm.unsupported", "it is signed with an algorithm that cannot be checked"),
)
"""What a failure code means, most telling first (the first one present is the problem)."""

_COMPOSITES = ("compositeWithTrainedAlgorithmicMedia", "compositeSynthetic")
_ADDED_AI = {
    "trainedAlgorithmicMedia": "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia": "compositeSynthetic",
}
_AI_BASES = frozenset(("trainedAlgorithmicMedia", "algorithmicMedia", *_COMPOSITES))
_BASE_ACTIONS = ("c2pa.created", "c2pa.opened")


def reader_settings(trust: TrustList) -> dict[str, Any]:
    """The c2pa settings used: trust anchors from ``trust``, nothing fetched."""
    return {
        "verify": {
            "verify_trust": True,
            "verify_timestamp_trust": True,
            "remote_manifest_fetch": False,
            "ocsp_fetch": False,
        },
        "trust": {"trust_anchors": trust.pem},
        "core": {"allowed_network_hosts": []},
    }


def _context(trust: TrustList) -> c2pa.Context:
    """One c2pa Context per trust list (the newest kept)."""
    import c2pa

    with _contexts_lock:
        context = _contexts.get(trust.key)
        if context is None:
            context = c2pa.Context.from_json(json.dumps(reader_settings(trust)))
            _contexts.clear()
            _contexts[trust.key] = context
        return context


def clear_cache() -> None:
    """Forget every result (tests; a trust list change needs none: it is in the key)."""
    CACHE.clear()


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return info.st_size, info.st_mtime_ns


def read_credentials(path: Path) -> Credentials:
    """``path``'s Content Credentials, verified; never raises.

    :data:`NO_CREDENTIALS` without importing c2pa when the file holds no manifest
    (see :mod:`.scan`).
    """
    try:
        kind = manifest_kind(path)
        if kind is None:
            return NO_CREDENTIALS
        signature = _signature(path)
        if signature is None:
            return NO_CREDENTIALS
        sidecar = sidecar_path(path) if kind == SIDECAR else None
        trust = trust_list()
        key = (
            str(path),
            *signature,
            _signature(sidecar) if sidecar is not None else None,
            trust.key,
        )
        cached = CACHE.get(key)
        if cached is not None:
            return cached
        found = _read(path, sidecar, trust)
        if _signature(path) == signature:  # not changed while read
            CACHE.put(key, found)
        return found
    except Exception as exc:  # never crash the caller: say what went wrong
        return Credentials(UNREADABLE, problem=_cap(f"cannot be read: {_error_text(exc)}"))


def _read(path: Path, sidecar: Path | None, trust: TrustList) -> Credentials:
    try:
        import c2pa
    except ImportError:
        return Credentials(
            UNREADABLE,
            problem="the C2PA reader (c2pa-python) is not installed",
            sidecar=bool(sidecar),
        )
    manifest_data: bytes | None = None
    if sidecar is not None:
        from ..files import read_regular

        manifest_data = read_regular(sidecar, MAX_SIDECAR)
    try:
        context = _context(trust)
        with (
            open(path, "rb") as stream,
            c2pa.Reader(None, stream, manifest_data, context) as reader,
        ):
            store = json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return Credentials(NONE, sidecar=sidecar is not None)
    except c2pa.C2paError as exc:
        message = str(exc)
        url = _remote_url(message)
        if url is not None:
            return Credentials(
                UNREADABLE,
                problem=_cap(f"its credentials are stored online ({url}), which is not fetched"),
                sidecar=sidecar is not None,
            )
        return Credentials(
            UNREADABLE,
            problem=_cap(f"the manifest cannot be read: {_error_text(exc)}"),
            sidecar=sidecar is not None,
        )
    return credentials_from_store(store, sidecar=sidecar is not None)


_REMOTE = re.compile(r"remote manifests? from url (\S+)", re.IGNORECASE)


def _remote_url(message: str) -> str | None:
    """The URL of a remote manifest c2pa was asked not to fetch, from its error."""
    match = _REMOTE.search(message)
    if match:
        return _cap(match.group(1), 120)
    if message.lower().startswith("remote"):
        return "a URL"
    return None


def _error_text(exc: BaseException) -> str:
    """An error's message, short: the c2pa kind prefix (``Other: ``) dropped, one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = re.sub(r"^[A-Z][A-Za-z]*: ", "", text)
    text = re.sub(r"\s*\(\s*\)$", "", text)  # c2pa's empty "()" of no detail
    return _cap(text, 120)


def _cap(value: object, limit: int = MAX_TEXT) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: object) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return _cap(text) if text else None
    return None


# --- From the manifest store (c2pa's JSON) to Credentials ---


def problem_for(codes: Iterable[str]) -> str | None:
    """``codes`` in plain words: the most telling failure, or None for trust codes only."""
    present = [code for code in codes if code not in TRUST_CODES and not _is_cawg_trust(code)]
    for code, words in PLAIN_WORDS:
        if code in present:
            return words
    if present:
        return _cap(f"a check failed: {present[0]}")
    return None


def _is_cawg_trust(code: str) -> bool:
    return code.startswith("cawg.") and code.endswith("untrusted")


def _failure_codes(store: Mapping[str, Any]) -> tuple[str, ...]:
    codes: list[str] = []
    results = store.get("validation_results")
    if isinstance(results, Mapping):
        statuses: list[Any] = []
        active = results.get("activeManifest")
        if isinstance(active, Mapping):
            statuses += list(active.get("failure") or [])
        for delta in results.get("ingredientDeltas") or []:
            if isinstance(delta, Mapping):
                deltas = delta.get("validationDeltas")
                if isinstance(deltas, Mapping):
                    statuses += list(deltas.get("failure") or [])
    else:
        statuses = list(store.get("validation_status") or [])
    for status in statuses:
        code = status.get("code") if isinstance(status, Mapping) else None
        if isinstance(code, str) and code not in codes:
            codes.append(_cap(code, 80))
    return tuple(codes[:MAX_ITEMS])


def _state(store: Mapping[str, Any], codes: tuple[str, ...]) -> tuple[str, str | None]:
    state = store.get("validation_state")
    untrusted_only = all(code in TRUST_CODES or _is_cawg_trust(code) for code in codes)
    if state == "Trusted":
        return TRUSTED, None
    if state == "Valid" and untrusted_only:
        return UNKNOWN_SIGNER, None
    return INVALID, problem_for(codes) or "the credentials do not verify"


def _code(value: object) -> str | None:
    """The IPTC code of a digital source type URL: its last path segment."""
    if not isinstance(value, str):
        return None
    code = value.strip().rstrip("/").rsplit("/", 1)[-1].strip()
    return _cap(code, 80) if code else None


def _label(assertion: Mapping[str, Any]) -> str:
    label = assertion.get("label")
    return label.split("__", 1)[0] if isinstance(label, str) else ""


def _assertions(manifest: Mapping[str, Any], *labels: str) -> list[Mapping[str, Any]]:
    found = []
    for assertion in manifest.get("assertions") or []:
        if isinstance(assertion, Mapping) and _label(assertion) in labels:
            data = assertion.get("data")
            if isinstance(data, Mapping):
                found.append(data)
    return found


def _actions(manifest: Mapping[str, Any]) -> tuple[Action, ...]:
    actions: list[Action] = []
    for data in _assertions(manifest, "c2pa.actions", "c2pa.actions.v2"):
        for entry in data.get("actions") or []:
            if not isinstance(entry, Mapping) or len(actions) >= MAX_ITEMS:
                continue
            agent = entry.get("softwareAgent")
            software = _text(agent.get("name")) if isinstance(agent, Mapping) else _text(agent)
            actions.append(
                Action(
                    action=_text(entry.get("action")) or "?",
                    source_type=_code(entry.get("digitalSourceType")),
                    software=software,
                )
            )
    return tuple(actions)


def _source_type(
    actions: tuple[Action, ...], ingredients: tuple[tuple[str, str], ...]
) -> str | None:
    """The image's digital source type as a whole, from its actions and ingredients.

    - the ``c2pa.created`` (else ``c2pa.opened``) action's code; an opened image
      without one takes its parent ingredient's;
    - if any action or ingredient says ``compositeWithTrainedAlgorithmicMedia`` or
      ``compositeSynthetic``, that;
    - if AI-made parts were placed or edited in (an action, or a ``componentOf``
      ingredient, with ``trainedAlgorithmicMedia``/``algorithmicMedia``) and the base
      is not itself AI-made: ``compositeWithTrainedAlgorithmicMedia``
      (``compositeSynthetic``);
    - a capture that was only edited (``c2pa.edited``, ``c2pa.color_adjustments``...)
      stays ``digitalCapture``: whether to call it retouched is the badge's choice.

    ``ingredients`` is (relationship, code) per ingredient that states a code.
    """
    base = next(
        (a.source_type for a in actions if a.action == "c2pa.created" and a.source_type), None
    )
    if base is None:
        base = next(
            (a.source_type for a in actions if a.action == "c2pa.opened" and a.source_type), None
        )
    if base is None:
        base = next((code for rel, code in ingredients if rel == "parentOf"), None)
    stated = [a.source_type for a in actions if a.source_type] + [c for _, c in ingredients]
    for composite in _COMPOSITES:
        if composite in stated:
            return composite
    added = [a.source_type for a in actions if a.action not in _BASE_ACTIONS and a.source_type]
    added += [code for rel, code in ingredients if rel != "parentOf"]
    if base not in _AI_BASES:
        for part, composite in _ADDED_AI.items():
            if part in added:
                return composite
    return base


def _ingredients(
    store: Mapping[str, Any], manifest: Mapping[str, Any], depth: int
) -> tuple[tuple[str, str], ...]:
    """(relationship, source type code) of each ingredient that states one."""
    found: list[tuple[str, str]] = []
    manifests = store.get("manifests")
    for ingredient in manifest.get("ingredients") or []:
        if not isinstance(ingredient, Mapping) or len(found) >= MAX_ITEMS:
            continue
        relationship = ingredient.get("relationship")
        rel = relationship if isinstance(relationship, str) else "componentOf"
        code = _code(ingredient.get("digitalSourceType")) or _code(
            ingredient.get("digital_source_type")
        )
        label = ingredient.get("active_manifest")
        if code is None and depth > 0 and isinstance(manifests, Mapping) and isinstance(label, str):
            inner = manifests.get(label)
            if isinstance(inner, Mapping) and inner is not manifest:
                code = _source_type(_actions(inner), _ingredients(store, inner, depth - 1))
        if code is not None:
            found.append((rel, code))
    return tuple(found)


def _device(manifest: Mapping[str, Any]) -> str | None:
    make = model = None
    for data in _assertions(manifest, "stds.exif", "c2pa.metadata"):
        for key, value in data.items():
            if not isinstance(key, str):
                continue
            name = key.rsplit(":", 1)[-1]
            if name == "Make" and make is None:
                make = _text(value)
            elif name == "Model" and model is None:
                model = _text(value)
    if model and make and not model.lower().startswith(make.lower()):
        return _cap(f"{make} {model}")
    return model or make


def _generator(manifest: Mapping[str, Any]) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], Mapping):
        name = _text(info[0].get("name"))
        version = _text(info[0].get("version"))
        if name:
            return _cap(f"{name} {version}" if version else name)
    generator = manifest.get("claim_generator")
    if isinstance(generator, str) and generator.split():
        product, _, version = generator.split()[0].partition("/")
        product = product.replace("_", " ")
        return _cap(f"{product} {version}" if version else product)
    return None


def credentials_from_store(store: Mapping[str, Any], *, sidecar: bool = False) -> Credentials:
    """:class:`Credentials` from c2pa's manifest store JSON (``Reader.json()``)."""
    codes = _failure_codes(store)
    state, problem = _state(store, codes)
    manifests = store.get("manifests")
    label = store.get("active_manifest")
    manifest = (
        manifests.get(label) if isinstance(manifests, Mapping) and isinstance(label, str) else None
    )
    if not isinstance(manifest, Mapping):
        return Credentials(
            INVALID if state == INVALID else UNREADABLE,
            problem=problem or "the manifest store has no active manifest",
            codes=codes,
            sidecar=sidecar,
        )
    signature = manifest.get("signature_info")
    signature = signature if isinstance(signature, Mapping) else {}
    actions = _actions(manifest)
    ingredients = _ingredients(store, manifest, depth=4)
    return Credentials(
        state=state,
        signer=_text(signature.get("issuer")) or _text(signature.get("common_name")),
        generator=_generator(manifest),
        device=_device(manifest),
        signed_at=_text(signature.get("time")),
        actions=actions,
        ingredient_source_types=tuple(code for _, code in ingredients),
        source_type=_source_type(actions, ingredients),
        problem=problem,
        codes=codes,
        sidecar=sidecar,
    )
