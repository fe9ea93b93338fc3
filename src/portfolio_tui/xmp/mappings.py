"""What each tool's XMP values mean in the store's terms: one table per tool.

- IPTC (``Iptc4xmpExt:DigitalSourceType``): :data:`PROVENANCE`.
- Lightroom, Bridge (``xmp:Label`` text): :data:`LIGHTROOM_LABELS`.
- darktable (``darktable:colorlabels`` numbers, ``xmp:Rating`` 6):
  :data:`DARKTABLE_LABELS`, :data:`DARKTABLE_OLD_REJECT`.
- digiKam (``digiKam:ColorLabel``, ``digiKam:PickLabel``): :data:`DIGIKAM_LABELS`,
  :data:`DIGIKAM_COLOR_NAMES`, :data:`DIGIKAM_REJECTED` .. :data:`DIGIKAM_ACCEPTED`.

Export writes the store's values back with the reverse of these tables
(:data:`DARKTABLE_LABEL_NUMBERS`, :data:`DIGIKAM_COLOR_LABELS`, derived from
the tables above so that the two directions cannot drift apart), into the
:data:`PROPERTIES` below (docs/curation.md has the mapping as a table):

========================  ============  ==========  ======================  ==================
store                     xmp:Rating    xmp:Label   darktable:colorlabels   digiKam
========================  ============  ==========  ======================  ==================
rating 1..5               1..5
flag reject               -1                                                PickLabel 1
flag pick                                                                   PickLabel 3
label red                               Red         0                       ColorLabel 1
label yellow                            Yellow      1                       ColorLabel 3
label green                             Green       2                       ColorLabel 4
label blue                              Blue        3                       ColorLabel 5
label purple                            Purple      4                       ColorLabel 6
========================  ============  ==========  ======================  ==================

darktable writes ``xmp:Rating`` -1 for a rejected photo (``dt_image_get_xmp_rating_from_flags``
in ``src/common/image.c``) and reads 6, its internal ``DT_VIEW_REJECT``, as rejected too;
its colour labels are an ``rdf:Seq`` of numbers in ``http://darktable.sf.net/`` (several
may be set: the first is imported).  digiKam's numbers are its ``ColorLabel`` and
``PickLabel`` enums (``digikam_globals.h``: colour 0 none, 1 red, 2 orange, 3 yellow,
4 green, 5 blue, 6 magenta, 7 gray, 8 black, 9 white; pick 0 none, 1 rejected,
2 pending, 3 accepted) in ``http://www.digikam.org/ns/1.0/``.  What the store cannot
hold (orange, gray, black, white, "pending", a free-text ``xmp:Label``) is not
imported and is reported as a note.

Provenance
----------
``Iptc4xmpExt:DigitalSourceType`` holds a URI of the IPTC NewsCodes
vocabulary (http://cv.iptc.org/newscodes/digitalsourcetype/, release of
2024-10-23); its last path segment is the code (a bare code or a
``digsrctype:`` QCode is accepted too).  :data:`PROVENANCE` maps every code of
that vocabulary, retired ones included:

- camera: digitalCapture, computationalCapture (multi-frame merges such as
  phone HDR, still sampled from real life), negativeFilm, positiveFilm,
  print (scans of real photographs).
- retouched: humanEdits, minorHumanEdits (retired), algorithmicallyEnhanced.
- ai: trainedAlgorithmicMedia, algorithmicMedia.
- composite: compositeWithTrainedAlgorithmicMedia, compositeSynthetic,
  compositeCapture, composite.
- no badge (None): digitalCreation, digitalArt (retired), softwareImage,
  dataDrivenMedia, virtualRecording, screenCapture.  These are
  neither photographs nor generative AI; ``source_type`` still says what the
  file claims.

An unknown code has provenance None and keeps its ``source_type``.
"""

from __future__ import annotations

from typing import Final

from .packets import DARKTABLE_NS, DIGIKAM_NS, XMP_NS

CAMERA: Final = "camera"
AI: Final = "ai"
COMPOSITE: Final = "composite"
RETOUCHED: Final = "retouched"

PROVENANCE: Final[dict[str, str | None]] = {
    "digitalCapture": CAMERA,
    "computationalCapture": CAMERA,
    "negativeFilm": CAMERA,
    "positiveFilm": CAMERA,
    "print": CAMERA,
    "humanEdits": RETOUCHED,
    "minorHumanEdits": RETOUCHED,
    "algorithmicallyEnhanced": RETOUCHED,
    "trainedAlgorithmicMedia": AI,
    "algorithmicMedia": AI,
    "compositeWithTrainedAlgorithmicMedia": COMPOSITE,
    "compositeSynthetic": COMPOSITE,
    "compositeCapture": COMPOSITE,
    "composite": COMPOSITE,
    "digitalCreation": None,
    "digitalArt": None,
    "softwareImage": None,
    "dataDrivenMedia": None,
    "virtualRecording": None,
    "screenCapture": None,
}


DARKTABLE_LABELS: Final = ("Red", "Yellow", "Green", "Blue", "Purple")
DIGIKAM_LABELS: Final = {
    1: "Red",
    2: "Orange",
    3: "Yellow",
    4: "Green",
    5: "Blue",
    6: "Purple",
    7: "Gray",
    8: "Black",
    9: "White",
}


STORE_LABELS: Final = ("red", "yellow", "green", "blue", "purple")
"""The colour labels the curation store holds."""
LIGHTROOM_LABELS: Final = {label: label.capitalize() for label in STORE_LABELS}
"""Store label -> ``xmp:Label`` text (what Lightroom, Bridge and darktable compare with)."""
DARKTABLE_OLD_REJECT: Final = 6
"""``xmp:Rating`` 6: darktable before 3.0 kept "rejected" as rating 6 (``DT_VIEW_REJECT``)
and reads a 6 back as rejected (``src/common/exif.cc``: ``flags & 0x7``)."""
DIGIKAM_REJECTED: Final = 1
DIGIKAM_PENDING: Final = 2
DIGIKAM_ACCEPTED: Final = 3


DIGIKAM_COLOR_NAMES: Final = {2: "orange", 6: "magenta", 7: "gray", 8: "black", 9: "white"}
"""digiKam's own names, where a note names a label the store cannot hold."""


DARKTABLE_LABEL_NUMBERS: Final = {name.lower(): n for n, name in enumerate(DARKTABLE_LABELS)}
"""Store label -> number in ``darktable:colorlabels`` (``dt_colorlabels_enum``)."""
DIGIKAM_COLOR_LABELS: Final = {
    name.lower(): n for n, name in DIGIKAM_LABELS.items() if name.lower() in STORE_LABELS
}
"""Store label -> ``digiKam:ColorLabel`` (6 is digiKam's magenta, written as "Purple")."""


PROPERTIES: Final = (
    (XMP_NS, "Rating", "xmp"),
    (XMP_NS, "Label", "xmp"),
    (DARKTABLE_NS, "colorlabels", "darktable"),
    (DIGIKAM_NS, "ColorLabel", "digiKam"),
    (DIGIKAM_NS, "PickLabel", "digiKam"),
)
"""Every property export may write: (namespace, name, usual prefix)."""
