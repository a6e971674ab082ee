"""Co-production fixtures for the browser tests: an AZ broadcaster beside the service's TR one,
a project between them, and a processed video of the TR side to contribute as footage."""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass

import pytest

from tests.e2e.conftest import Service, upload_file, wait_for_status

TR_ORG = "Ortak TV"  # the service's own organisation (tests/e2e/conftest.py)
AZ_ORG = "İctimai Televiziya"
AZ_EMAIL = "prodüser@itv.test"


def api_post(service: Service, token: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(service.url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@dataclass
class CoproductionSeed:
    project_id: str
    video: str
    tr_token: str
    az_token: str
    az_email: str


@pytest.fixture(scope="session")
def coproduction_seed(service, tmp_path_factory) -> CoproductionSeed:
    """Session-wide (registered in tests/e2e/conftest.py): every test shares one project."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is missing")
    # Footage of its own (other tests search for and deduplicate their own uploads).
    video = tmp_path_factory.mktemp("coproduction") / "iki-kiyi.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "smptebars=size=320x240:rate=25:duration=6",
                    "-f", "lavfi", "-i", "sine=frequency=550:sample_rate=44100:duration=6",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(video)], check=True, timeout=60)
    service.create_org(AZ_ORG, "AZ")
    service.create_user(AZ_EMAIL, AZ_ORG, "producer")
    tr_token = service.create_token(service.email)
    az_token = service.create_token(AZ_EMAIL)
    video_id = upload_file(service, tr_token, video, {"title": "Ortak arşiv: renk çubukları", "language": "tr"})
    assert wait_for_status(service, tr_token, video_id)["status"] == "ready"
    project = api_post(service, tr_token, "/api/v1/projects", {
        "title": {"tr": "İki Kıyı", "az": "İki Sahil", "en": "Two Shores"}, "kind": "documentary",
        "reporting_currency": "EUR", "rule_set": "coe_2017_bilateral", "footage_rate_per_minute": "600.00",
        "parties": [{"organisation": TR_ORG, "role": "lead", "share": "50"},
                    {"organisation": AZ_ORG, "role": "co_producer", "share": "50"}],
        "budget": [{"category": "Çekim", "amount": "20000.00", "currency": "EUR"}],
        "milestones": [{"title": "Çekimler başlar", "due": "2027-03-01", "owner": TR_ORG}]})
    pid = project["id"]
    api_post(service, tr_token, f"/api/v1/projects/{pid}/rates",
             {"currency": "TRY", "date": "2026-01-02", "rate": "0.0270", "source": "TCMB"})
    for date, city, host in (("2026-01-10", "Ankara", "TR"), ("2026-02-10", "Bakı", "AZ"),
                             ("2026-03-10", "Gəncə", "AZ")):
        api_post(service, tr_token, "/api/v1/commission/meetings", {
            "date": date, "city": city, "host_country": host, "attendees": ["Ayşe Yılmaz", "Rəşad Məmmədov"],
            "decisions": ["Finansman planı onaylandı"], "projects": [pid]})
    return CoproductionSeed(pid, video_id, tr_token, az_token, AZ_EMAIL)
