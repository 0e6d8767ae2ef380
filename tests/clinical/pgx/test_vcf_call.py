"""VCF calling of CYP2C9/CYP2C19 on VCFs built from the CPIC allele definitions."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from vcf_builder import allele_names, haplotype, reference_allele, write_vcf

from painpath.clinical.pgx import (
    NotAVcfError,
    SampleNotFoundError,
    TruncatedVcfError,
    WrongBuildError,
    allele_sort_key,
    call_vcf,
    outside_call,
)
from painpath.clinical.pgx._data import allele_definitions

# Alleles whose heterozygous call with the reference allele has an equally good alternative
# phasing in the CPIC definitions (reported as alternatives, call marked uncertain).
AMBIGUOUS_HETS = {("CYP2C9", "*71"), ("CYP2C19", "*40")}
GENE_ALLELES = [(g, a) for g in ("CYP2C9", "CYP2C19") for a in allele_names(g)]


def _pair(a: str, b: str) -> str:
    return "/".join(sorted((a, b), key=allele_sort_key))


@pytest.fixture(scope="module", params=["CYP2C9", "CYP2C19"])
def every_allele_calls(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    gene: str = request.param
    ref = reference_allele(gene)
    samples = {}
    for a in allele_names(gene):
        samples[f"hom{a}"] = (haplotype(gene, a), haplotype(gene, a))
        samples[f"het{a}"] = (haplotype(gene, ref), haplotype(gene, a))
    path = write_vcf(tmp_path_factory.mktemp("vcf") / f"{gene}.vcf", gene, samples)
    return gene, ref, call_vcf(path)


def test_every_allele_homozygous_and_heterozygous(every_allele_calls) -> None:  # type: ignore[no-untyped-def]
    gene, ref, calls = every_allele_calls
    for allele in allele_names(gene):
        hom = calls[f"hom{allele}"][gene]
        assert hom.diplotype == f"{allele}/{allele}", allele
        assert hom.alternatives == ()
        assert not hom.uncertain
        assert hom.missing_positions == ()
        het = calls[f"het{allele}"][gene]
        expected = _pair(ref, allele)
        if (gene, allele) in AMBIGUOUS_HETS:
            assert expected in {het.diplotype, *het.alternatives}
            assert het.uncertain
        else:
            assert het.diplotype == expected, allele
            assert het.alternatives == ()
            assert not het.uncertain


@pytest.mark.parametrize(
    ("gene", "pair", "phenotype"),
    [
        ("CYP2C9", ("*2", "*3"), "Poor Metabolizer"),
        ("CYP2C9", ("*3", "*8"), "Poor Metabolizer"),
        ("CYP2C19", ("*2", "*17"), "Intermediate Metabolizer"),
        ("CYP2C19", ("*2", "*3"), "Poor Metabolizer"),
    ],
)
@pytest.mark.parametrize("phased", [False, True])
def test_compound_heterozygous(
    tmp_path: Path, gene: str, pair: tuple[str, str], phenotype: str, phased: bool
) -> None:
    a, b = pair
    path = write_vcf(
        tmp_path / "c.vcf", gene, {"S1": (haplotype(gene, a), haplotype(gene, b))}, phased=phased
    )
    call = call_vcf(path)["S1"][gene]
    assert call.diplotype == _pair(a, b)
    assert call.phenotype == phenotype
    assert not call.uncertain


def test_activity_score_reported_for_cyp2c9(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "x.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*3"))})
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.activity_score) == ("*1/*3", 1.0)
    untested = call_vcf(path)["S"]["CYP2C19"]  # no CYP2C19 records at all
    assert (untested.diplotype, untested.phenotype, untested.uncertain) == (
        None,
        "Not tested",
        True,
    )


def _index_of(gene: str, allele: str) -> list[int]:
    raw = allele_definitions()["genes"][gene]
    named = next(a for a in raw["named_alleles"] if a["name"] == allele)
    ref_named = next(a for a in raw["named_alleles"] if a["reference"])
    return [
        i
        for i, (b, r) in enumerate(zip(named["alleles"], ref_named["alleles"], strict=True))
        if b is not None and b != r
    ]


def test_missing_defining_position_makes_call_uncertain(tmp_path: Path) -> None:
    g = "CYP2C19"
    ref = reference_allele(g)
    drop = _index_of(g, "*17")
    path = write_vcf(tmp_path / "m.vcf", g, {"S": (haplotype(g, ref), haplotype(g, ref))},
                     drop=drop)  # fmt: skip
    call = call_vcf(path)["S"][g]
    positions = allele_definitions()["genes"][g]["variants"]
    assert call.missing_positions == tuple(f"chr10:{positions[i]['position']}" for i in drop)
    assert call.uncertain
    assert call.diplotype == f"{ref}/{ref}"


def test_missing_position_not_defining_any_compatible_allele_is_listed_only(
    tmp_path: Path,
) -> None:
    g = "CYP2C9"
    drop = _index_of(g, "*3")
    path = write_vcf(tmp_path / "m.vcf", g, {"S": (haplotype(g, "*2"), haplotype(g, "*2"))},
                     drop=drop)  # fmt: skip
    call = call_vcf(path)["S"][g]
    assert call.diplotype == "*2/*2"
    assert len(call.missing_positions) == len(drop)


def test_reference_genotype_is_evidence_of_reference(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "r.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))})
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.uncertain, call.missing_positions) == ("*1/*1", False, ())


def test_multi_sample_and_sample_selection(tmp_path: Path) -> None:
    g = "CYP2C19"
    samples = {
        "A": (haplotype(g, "*1"), haplotype(g, "*2")),
        "B": (haplotype(g, "*17"), haplotype(g, "*17")),
    }
    path = write_vcf(tmp_path / "ms.vcf", g, samples)
    calls = call_vcf(path)
    assert list(calls) == ["A", "B"]
    assert calls["A"][g].diplotype == "*1/*2"
    assert calls["B"][g].phenotype == "Ultrarapid Metabolizer"
    assert list(call_vcf(path, sample="B")) == ["B"]
    with pytest.raises(SampleNotFoundError, match="sample 'C'"):
        call_vcf(path, sample="C")


def test_bgzipped_vcf(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "z.vcf.gz", g, {"S": (haplotype(g, "*1"), haplotype(g, "*2"))},
                     gzipped=True)  # fmt: skip
    assert call_vcf(path)["S"][g].diplotype == "*1/*2"


def test_plain_gzip_vcf(tmp_path: Path) -> None:
    g = "CYP2C9"
    text = write_vcf(tmp_path / "p.vcf", g, {"S": (haplotype(g, "*3"), haplotype(g, "*3"))})
    gz = tmp_path / "p.vcf.gz"
    gz.write_bytes(gzip.compress(text.read_bytes()))
    assert call_vcf(gz)["S"][g].diplotype == "*3/*3"


def test_not_a_vcf(tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("gene,diplotype\nCYP2D6,*1/*1\n")
    with pytest.raises(NotAVcfError, match="not a VCF"):
        call_vcf(path)


def test_truncated_plain_vcf(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "t.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))})
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(TruncatedVcfError, match="truncated"):
        call_vcf(path)


def test_truncated_bgzip_vcf(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "t.vcf.gz", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))},
                     gzipped=True)  # fmt: skip
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(TruncatedVcfError, match="truncated"):
        call_vcf(path)


@pytest.mark.parametrize(
    "header",
    [
        "##reference=file:///refs/human_g1k_v37.fasta",
        "##assembly=GRCh37",
        "##contig=<ID=10,length=135534747>",
    ],
)
def test_wrong_build_from_header(tmp_path: Path, header: str) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "b.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))},
                     header_extra=[header])  # fmt: skip
    with pytest.raises(WrongBuildError, match="GRCh3"):
        call_vcf(path)


def test_wrong_build_from_ref_bases(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "b.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))})
    lines = path.read_text().splitlines(keepends=True)
    idx = next(i for i, line in enumerate(lines) if line.startswith("chr10"))
    cols = lines[idx].split("\t")
    cols[3] = {"A": "C", "C": "G", "G": "T", "T": "A"}[cols[3]]
    lines[idx] = "\t".join(cols)
    path.write_text("".join(lines))
    with pytest.raises(WrongBuildError, match=f"chr10:{cols[1]} has REF"):
        call_vcf(path)


@pytest.mark.parametrize(
    ("diplotype", "phenotype", "score"),
    [
        ("*1/*4", "Intermediate Metabolizer", 1.0),
        ("*2x2/*41", "Normal Metabolizer", 2.25),
        ("*1x2/*1", "Ultrarapid Metabolizer", 3.0),
    ],
)
def test_cyp2d6_outside_call(diplotype: str, phenotype: str, score: float) -> None:
    call = outside_call("CYP2D6", diplotype)
    assert (call.phenotype, call.activity_score) == (phenotype, score)
    assert call.to_dict()["alternatives"] == []
