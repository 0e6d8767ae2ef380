"""`painpath pgx` CLI contract: exact JSON shapes, batch errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcf_builder import haplotype, write_vcf

from painpath.cli import main


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_phenotype_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pgx", "phenotype", "CYP2D6", "*4/*1", "--json"]) == 0
    assert _lines(capsys) == [
        {"gene": "CYP2D6", "diplotype": "*1/*4", "activity_score": 1.0,
         "phenotype": "Intermediate Metabolizer"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("gene", "diplotype", "score"),
    [("CYP2C19", "*1/*2", None), ("CYP2D6", "*2x≥3/*1", "≥4.0"), ("CYP2C9", "*1/*2", 1.5)],
)
def test_phenotype_activity_score_types(
    capsys: pytest.CaptureFixture[str], gene: str, diplotype: str, score: object
) -> None:
    main(["pgx", "phenotype", gene, diplotype, "--json"])
    assert _lines(capsys)[0]["activity_score"] == score


def test_phenotype_human(capsys: pytest.CaptureFixture[str]) -> None:
    main(["pgx", "phenotype", "CYP2C9", "*1/*3"])
    assert capsys.readouterr().out == (
        "CYP2C9 *1/*3: Intermediate Metabolizer (activity score 1.0)\n"
    )


def test_phenotype_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pgx", "phenotype", "CYP2D6", "*1/*999", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "CYP2D6 allele '*999'" in err


def test_batch_keeps_order_and_reports_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text("gene,diplotype\nCYP2D6,*1/*4\nCYP2D6,*1/*999\nFOO,*1/*1\nCYP2C19,*17/*2\n")
    assert main(["pgx", "phenotype", "--batch", str(batch), "--json"]) == 1
    rows = _lines(capsys)
    assert [r["diplotype"] for r in rows] == ["*1/*4", "*1/*999", "*1/*1", "*2/*17"]
    assert rows[1]["gene"] == "CYP2D6"
    assert "not in the CPIC allele table" in str(rows[1]["error"])
    assert "gene 'FOO'" in str(rows[2]["error"])
    assert rows[3]["phenotype"] == "Intermediate Metabolizer"


def test_batch_all_good_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "b.csv"
    batch.write_text("gene,diplotype\nCYP2C9,*1/*1\n")
    assert main(["pgx", "phenotype", "--batch", str(batch), "--json"]) == 0
    assert len(_lines(capsys)) == 1


def test_recommend_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pgx", "recommend", "piroxicam", "--diplotype", "CYP2C9=*1/*3", "--json"]) == 0
    rec = _lines(capsys)[0]
    assert set(rec) == {"drug", "genes", "strength", "action", "recommendation", "source",
                        "notes"}  # fmt: skip
    assert rec["genes"] == {
        "CYP2C9": {"diplotype": "*1/*3", "activity_score": 1.0,
                   "phenotype": "Intermediate Metabolizer"}
    }  # fmt: skip
    assert rec["notes"] == {}  # OPRM1/COMT notes belong to the opioid guideline only


def test_recommend_codeine_ultrarapid(capsys: pytest.CaptureFixture[str]) -> None:
    main(["pgx", "recommend", "codeine", "--diplotype", "CYP2D6=*1x2/*1", "--json"])
    rec = _lines(capsys)[0]
    assert (rec["strength"], rec["action"]) == ("strong", "avoid")


def test_recommend_bad_pair(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pgx", "recommend", "codeine", "--diplotype", "CYP2D6"]) == 2
    assert "expected GENE=DIPLOTYPE" in capsys.readouterr().err


def test_call_json_with_outside_call(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = "CYP2C19"
    path = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*2"), haplotype(g, "*17"))})
    args = ["pgx", "call", str(path), "--outside-call", "CYP2D6=*1/*4", "--json"]
    assert main(args) == 0
    out = _lines(capsys)[0]
    assert set(out) == {"P1"}
    assert set(out["P1"]) == {"CYP2C9", "CYP2C19", "CYP2D6"}  # type: ignore[arg-type]
    c19 = out["P1"]["CYP2C19"]  # type: ignore[index]
    assert set(c19) == {"diplotype", "alternatives", "phenotype", "activity_score",
                        "missing_positions", "uncertain"}  # fmt: skip
    assert c19["diplotype"] == "*2/*17"
    assert out["P1"]["CYP2D6"]["phenotype"] == "Intermediate Metabolizer"  # type: ignore[index]


def test_call_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("hello\n")
    assert main(["pgx", "call", str(path)]) == 2
    assert "not a VCF" in capsys.readouterr().err


def test_call_human(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*1"), haplotype(g, "*3"))})
    assert main(["pgx", "call", str(path)]) == 0
    out = capsys.readouterr().out
    assert "CYP2C9 *1/*3: Intermediate Metabolizer" in out
    assert "CYP2C19 no call: Not tested (uncertain)" in out


@pytest.mark.parametrize("gene", ["OPRM1", "COMT"])
def test_recommend_opioid_with_oprm1_or_comt_says_no_genotype_action(
    capsys: pytest.CaptureFixture[str], gene: str
) -> None:
    args = ["pgx", "recommend", "codeine", "--diplotype", "CYP2D6=*1/*1",
            "--diplotype", f"{gene}=A/G"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"note: CPIC gives no genotype-based recommendation for opioids based on {gene}" in out
    assert main([*args, "--json"]) == 0
    rec = _lines(capsys)[0]
    assert rec["genes"][gene] == {"diplotype": "A/G", "activity_score": None, "phenotype": None}  # type: ignore[index]
    assert f"{gene}: CPIC gives no genotype-based recommendation" in str(rec["recommendation"])
    assert rec["strength"] == "strong"  # the CYP2D6 result still decides
    assert set(rec["notes"]) == {"OPRM1", "COMT"}  # type: ignore[arg-type]


def test_recommend_opioid_always_prints_oprm1_comt_statement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["pgx", "recommend", "tramadol", "--diplotype", "CYP2D6=*4/*4"]) == 0
    out = capsys.readouterr().out
    assert out.count("no genotype-based recommendation for opioids") == 2


def test_batch_accepts_utf8_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "bom.csv"
    batch.write_bytes("gene,diplotype\nCYP2C9,*1/*3\n".encode("utf-8-sig"))
    assert main(["pgx", "phenotype", "--batch", str(batch), "--json"]) == 0
    assert _lines(capsys)[0]["phenotype"] == "Intermediate Metabolizer"


def test_outside_call_for_a_gene_the_vcf_calls_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = "CYP2C19"
    path = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*2"), haplotype(g, "*17"))})
    assert main(["pgx", "call", str(path), "--outside-call", "CYP2C19=*1/*1", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "conflicts with the VCF, which calls CYP2C19 for sample P1 (*2/*17" in captured.err


def test_outside_call_fills_a_gene_the_vcf_does_not_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*1"), haplotype(g, "*1"))})
    assert main(["pgx", "call", str(path), "--outside-call", "CYP2C19=*2/*2", "--json"]) == 0
    out = _lines(capsys)[0]["P1"]
    assert out["CYP2C19"]["phenotype"] == "Poor Metabolizer"  # type: ignore[index]


def test_vcf_without_sample_columns_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    g = "CYP2C9"
    full = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*1"), haplotype(g, "*1"))})
    sites = tmp_path / "sites.vcf"
    sites.write_text("".join("\t".join(line.split("\t")[:8]).rstrip("\n") + "\n"
                             for line in full.read_text().splitlines(keepends=True)))  # fmt: skip
    assert main(["pgx", "call", str(sites), "--json"]) == 2
    assert "no sample columns" in capsys.readouterr().err


def test_malformed_vcf_body_is_reported_as_malformed_without_htslib_noise(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "c.vcf", g, {"P1": (haplotype(g, "*1"), haplotype(g, "*1"))})
    lines = path.read_text().splitlines(keepends=True)
    body = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    lines.insert(body + 1, "chr10\tNOTANUMBER\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\n")
    path.write_text("".join(lines))
    assert main(["pgx", "call", str(path)]) == 2
    err = capfd.readouterr().err  # file descriptor 2, where htslib writes
    assert "htslib: Could not parse the position 'NOTANUMBER'" in err  # folded into our line
    assert "malformed VCF body" in err and "truncated" not in err
    assert "[E::" not in err and err.count("\n") == 1
