"""VCF calling of CYP2C9/CYP2C19 on VCFs built from the CPIC allele definitions."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from vcf_builder import allele_names, haplotype, reference_allele, write_vcf

from painpath.clinical.pgx import (
    MalformedVcfError,
    NoSamplesError,
    NotAVcfError,
    SampleNotFoundError,
    TruncatedVcfError,
    WrongBuildError,
    allele_sort_key,
    call_vcf,
    outside_call,
    phenotype,
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


def _positions(gene: str) -> list[int]:
    return [v["position"] for v in allele_definitions()["genes"][gene]["variants"]]


# Alleles whose definition uses an IUPAC code (any base it stands for defines the allele).
IUPAC_ALLELES = [("CYP2C19", "*4"), ("CYP2C19", "*2"), ("CYP2C19", "*35"), ("CYP2C9", "*36")]


@pytest.mark.parametrize(("gene", "allele"), IUPAC_ALLELES)
def test_iupac_position_with_alternate_base_still_defines_the_allele(
    tmp_path: Path, gene: str, allele: str
) -> None:
    hap = haplotype(gene, allele, iupac="alt")
    assert hap != haplotype(gene, allele)  # the builder really emits the alternate base
    path = write_vcf(tmp_path / "i.vcf", gene, {"S": (hap, hap)}, phased=True)
    call = call_vcf(path)["S"][gene]
    assert call.diplotype == f"{allele}/{allele}"
    assert (call.alternatives, call.uncertain) == ((), False)


def test_cyp2c19_star4b_phased(tmp_path: Path) -> None:
    g = "CYP2C19"
    star4b = haplotype(g, "*4", at={94761900: "T"})  # *4B: *4 with the *17 promoter variant
    path = write_vcf(tmp_path / "b.vcf", g, {"S": (star4b, haplotype(g, "*1"))}, phased=True)
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.phenotype) == ("*1/*4", "Intermediate Metabolizer")
    assert (call.alternatives, call.uncertain) == ((), False)


@pytest.mark.parametrize("phased", [True, False])
def test_cyp2c19_star2_with_94775507a(tmp_path: Path, phased: bool) -> None:
    g = "CYP2C19"
    star2 = haplotype(g, "*2", at={94775507: "A"})
    path = write_vcf(tmp_path / "2.vcf", g, {"S": (star2, haplotype(g, "*1"))}, phased=phased)
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.phenotype) == ("*1/*2", "Intermediate Metabolizer")
    if phased:
        assert (call.alternatives, call.uncertain) == ((), False)
    else:  # 94775507A could sit on the other chromosome: *11 is defined by it
        assert call.alternatives == ("*2/*11",)
        assert call.uncertain


def test_builder_refuses_a_base_the_allele_does_not_allow() -> None:
    with pytest.raises(ValueError, match="does not allow"):
        haplotype("CYP2C19", "*4", at={94761900: "G"})


def test_missing_position_lists_alternative_with_other_phenotype(tmp_path: Path) -> None:
    # *4B/*1 without 94762706 (the *4 site): the data fit *1/*17 and *1/*4 alike
    g = "CYP2C19"
    star4b = haplotype(g, "*4", at={94761900: "T"})
    drop = [_positions(g).index(94762706)]
    path = write_vcf(tmp_path / "m.vcf", g, {"S": (star4b, haplotype(g, "*1"))}, drop=drop)
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.phenotype) == ("*1/*17", "Rapid Metabolizer")
    assert "*1/*4" in call.alternatives
    assert call.uncertain
    assert "chr10:94762706" in call.missing_positions
    assert len(set(call.alternatives)) == len(call.alternatives)
    assert call.diplotype not in call.alternatives


def test_missing_positions_alternatives_all_differ_in_phenotype_or_tie(tmp_path: Path) -> None:
    g = "CYP2C19"
    drop = [_positions(g).index(p) for p in (94775367, 94781859)]  # *2's own variants
    path = write_vcf(tmp_path / "m.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))},
                     drop=drop)  # fmt: skip
    call = call_vcf(path)["S"][g]
    assert (call.diplotype, call.phenotype, call.uncertain) == ("*1/*1", "Normal Metabolizer", True)
    assert {"*1/*2", "*2/*2"} <= set(call.alternatives)
    for alt in call.alternatives:
        assert phenotype_of(g, alt) != "Normal Metabolizer"


def phenotype_of(gene: str, diplotype: str) -> str:
    return phenotype(gene, diplotype).phenotype


def _gvcf(path: Path, gene: str, variant_pos: int, gt: str, block_gt: str = "0/0") -> Path:
    """A gVCF: reference blocks (END=) around one variant record."""
    variants = allele_definitions()["genes"][gene]["variants"]
    first, last = variants[0], variants[-1]
    var = next(v for v in variants if v["position"] == variant_pos)
    before = max(v["position"] for v in variants if v["position"] < variant_pos)
    after = next(v for v in variants if v["position"] > variant_pos)
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr10,length=133797422>",
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End of reference block">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS",
        f"chr10\t{first['position']}\t.\t{first['ref'][0]}\t<NON_REF>\t.\t.\tEND={before}\tGT\t{block_gt}",
        f"chr10\t{variant_pos}\t.\t{var['ref']}\t{var['alts'][0]},<NON_REF>\t.\tPASS\t.\tGT\t{gt}",
        f"chr10\t{after['position']}\t.\t{after['ref'][0]}\t<NON_REF>\t.\t.\tEND={last['position']}"
        "\tGT\t0/0",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_gvcf_reference_blocks_count_as_reference(tmp_path: Path) -> None:
    star3 = 94981296  # CYP2C9*3 (c.1075A>C)
    call = call_vcf(_gvcf(tmp_path / "g.vcf", "CYP2C9", star3, "0/1"))["S"]["CYP2C9"]
    assert (call.diplotype, call.activity_score) == ("*1/*3", 1.0)
    assert (call.missing_positions, call.alternatives, call.uncertain) == ((), (), False)


def test_gvcf_no_call_block_is_not_evidence(tmp_path: Path) -> None:
    path = _gvcf(tmp_path / "g.vcf", "CYP2C9", 94981296, "0/1", block_gt="./.")
    call = call_vcf(path)["S"]["CYP2C9"]
    assert "chr10:94938683" in call.missing_positions and call.uncertain


def test_malformed_body_is_not_called_truncated(tmp_path: Path) -> None:
    g = "CYP2C9"
    path = write_vcf(tmp_path / "m.vcf", g, {"S": (haplotype(g, "*1"), haplotype(g, "*1"))})
    text = path.read_text().replace("\tPASS\t.\tGT\t0/0\n", "\tPASS\n", 1)
    path.write_text(text)
    with pytest.raises(MalformedVcfError, match="malformed VCF body"):
        call_vcf(path)


def test_sites_only_vcf_has_no_samples(tmp_path: Path) -> None:
    path = tmp_path / "s.vcf"
    path.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                    "chr10\t94981296\t.\tA\tC\t.\tPASS\t.\n")  # fmt: skip
    with pytest.raises(NoSamplesError, match="no sample columns"):
        call_vcf(path)


# Unphased genotypes that two diplotypes explain. PharmCAT ranks fits by the defining positions
# its alleles explain (NamedAllele score = defined positions with data, less IUPAC positions at
# the reference base); *1 defines every position (83 in CYP2C9, 35 in CYP2C19), so the *1/*X
# phasing outranks the two rare alleles. Scores worked by hand from allele_definitions.json:
#   CYP2C9 *10/*12 -> *1/*71: *1 83 + *71 2 = 85 vs *10 1 + *12 1 = 2
#   CYP2C9 *5/*36 -> *1/*36: 83 + 2 = 85 vs *5 1 + *36 (S at 94981301 carries ref C) 2-1 = 2
#   CYP2C19 *15/*35 -> *1/*35: 35 + 3 = 38 vs *15 2 + *35 (M at 94762760 is ref A) 3-1 = 4
#   CYP2C19 *4/*17 -> *1/*4: 35 + 3 = 38 vs *4 (Y at 94761900 is ref C) 3-1 + *17 2 = 4
#   CYP2C19 *2/*11 -> *1/*2: 35 + 4 = 39 vs *2 (R at 94775507 is ref G) 4-1 + *11 2 = 5
#   CYP2C19 *1/*34 -> *38/*40: *38 35 + *40 3 = 38 vs *1 35 + *34 2 = 37
UNPHASED_TWO_FITS = [
    ("CYP2C9", ("*10", "*12"), "*1/*71", "*10/*12"),
    ("CYP2C9", ("*5", "*36"), "*1/*36", "*5/*36"),
    ("CYP2C19", ("*15", "*35"), "*1/*35", "*15/*35"),
    ("CYP2C19", ("*4", "*17"), "*1/*4", "*4/*17"),
    ("CYP2C19", ("*2", "*11"), "*1/*2", "*2/*11"),
    ("CYP2C19", ("*1", "*34"), "*38/*40", "*1/*34"),
]


@pytest.mark.parametrize(("gene", "pair", "called", "other"), UNPHASED_TWO_FITS)
def test_unphased_genotypes_with_two_fits_ranked_as_pharmcat(
    tmp_path: Path, gene: str, pair: tuple[str, str], called: str, other: str
) -> None:
    a, b = pair
    path = write_vcf(tmp_path / "u.vcf", gene, {"S": (haplotype(gene, a), haplotype(gene, b))})
    call = call_vcf(path)["S"][gene]
    assert call.diplotype == called
    assert call.alternatives == (other,)  # the other phasing stays listed
    assert call.uncertain
    assert call.missing_positions == ()


@pytest.mark.parametrize(("gene", "pair", "called", "other"), UNPHASED_TWO_FITS)
def test_phased_genotypes_have_one_fit(
    tmp_path: Path, gene: str, pair: tuple[str, str], called: str, other: str
) -> None:
    a, b = pair
    path = write_vcf(tmp_path / "p.vcf", gene, {"S": (haplotype(gene, a), haplotype(gene, b))},
                     phased=True)  # fmt: skip
    call = call_vcf(path)["S"][gene]
    assert call.diplotype == _pair(a, b)
    assert (call.alternatives, call.uncertain) == ((), False)


def test_equal_scores_prefer_fewer_untested_positions_and_list_the_tie(tmp_path: Path) -> None:
    # *4B/*1 without the *4 site 94762706: *1/*4 and *1/*17 both score 35 + 2 (PharmCAT would
    # report both); *1/*4 needs the untested non-reference base, so *1/*17 is called
    g = "CYP2C19"
    star4b = haplotype(g, "*4", at={94761900: "T"})
    drop = [_positions(g).index(94762706)]
    path = write_vcf(tmp_path / "t.vcf", g, {"S": (star4b, haplotype(g, "*1"))}, drop=drop)
    call = call_vcf(path)["S"][g]
    assert call.diplotype == "*1/*17"
    assert call.alternatives[0] == "*1/*4"
    assert call.uncertain
