"""A small corpus written by the tests, and a served app on a temporary database (shared by
tests/test_api*.py and tests/test_web*.py; imported, not collected for tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from storyline.serve import create_app

XSS_TITLE = '"><img src=x onerror=alert(1)> Quarry <script>alert("t")</script>'
XSS_TEXT = (
    "Harbourton council said on Monday that the <script>alert('xss')</script> quarry near Harbourton "
    "will close. '\"><img src=x onerror=alert(1)> was found painted on the gate, police said. "
    "The quarry employed 40 people and produced 2 million tonnes of stone a year."
)

BRIDGE = (
    "The Velmora bridge collapsed on Monday, 4 March 2024, killing 12 people, officials in Castrelo said. "
    "The 340-metre bridge over the river Duran was opened in 1987 and carried 20,000 vehicles a day. "
    "Transport minister Ana Ribeiro said an inquiry would report within 30 days. "
    "Rescue teams searched the river overnight for survivors."
)

CORPUS: list[dict[str, Any]] = [
    {"title": "Velmora bridge collapse kills 12 in Castrelo", "source": "Castrelo Herald",
     "published": "2024-03-04", "language": "en", "url": "https://herald.example/velmora-bridge-collapse",
     "text": BRIDGE},
    {"title": "Death toll in Velmora bridge collapse rises to 14", "source": "Duran Valley Times",
     "published": "2024-03-05", "language": "en", "url": "https://dvt.example/velmora-toll",
     "text": "The death toll from the collapse of the Velmora bridge in Castrelo rose to 14 on Tuesday, "
             "officials said. The bridge over the river Duran collapsed on Monday. Transport minister Ana "
             "Ribeiro visited the site and said an inquiry into the Velmora bridge would report within 30 "
             "days. Engineers said the 340-metre bridge had been inspected in 2022."},
    {"title": "Velmora bridge collapse kills 12 in Castrelo (agency copy)", "source": "Northern Wire",
     "published": "2024-03-04", "language": "en", "url": "https://wire.example/velmora-copy",
     "text": BRIDGE + " Traffic was diverted."},
    {"title": "Le pont de Velmora s'effondre à Castrelo", "source": "Le Courrier du Duran",
     "published": "2024-03-04", "language": "fr", "url": "https://courrier.example/pont-velmora",
     "text": "Le pont de Velmora s'est effondré lundi à Castrelo, faisant douze morts selon les autorités. "
             "La ministre des Transports Ana Ribeiro a annoncé une enquête. Le pont de 340 mètres "
             "enjambait le Duran depuis 1987."},
    {"title": "Orchard cooperative in Lindqvist wins national apple prize", "source": "Castrelo Herald",
     "published": "2024-01-20", "language": "en", "url": "https://herald.example/orchard-prize",
     "text": "The Lindqvist orchard cooperative won the national apple prize on Monday in Hallberg. "
             "The cooperative has 85 members and harvested 1,200 tonnes of apples last year. "
             "Chair Mette Lindqvist said the prize money of €15,000 would go to new cold storage."},
    {"title": XSS_TITLE, "source": 'Evil "><b>Outlet</b>', "published": "2024-01-25", "language": "en",
     "url": "https://evil.example/quarry", "text": XSS_TEXT, "format": "text"},
]


@dataclass
class Served:
    app: FastAPI
    client: TestClient
    ids: list[str]
    story_ids: list[str]
    db: Path

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)


def serve_corpus(tmp: Path, **app_kw: Any) -> Iterator[Served]:
    db = tmp / "api.db"
    app = create_app(str(db), **app_kw)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/v1/articles", json=CORPUS,
                        headers={"Authorization": f"Bearer {app_kw['token']}"} if app_kw.get("token") else {})
        assert r.status_code == 201, r.text
        body = r.json()
        yield Served(app, client, [a["id"] for a in body["articles"]], body["story_ids"], db)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_corpus(tmp_path_factory.mktemp("serve"))
