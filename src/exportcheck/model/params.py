"""Technical parameters: the names a rule or a manifest may use, with their units."""

from __future__ import annotations

# name → description (units are explicit in the names)
PARAMS: dict[str, str] = {
    "tpp": "total processing performance (2 × MacTOPS × bit length, dense)",
    "performance_density": "TPP divided by applicable die area in mm²",
    "die_area_mm2": "applicable (logic) die area, mm²",
    "interconnect_gbps": "aggregate bidirectional chip-to-chip transfer rate, GB/s",
    "memory_bandwidth_gbps": "total DRAM/HBM memory bandwidth, GB/s",
    "memory_bandwidth_density": "memory bandwidth density, GB/s per mm² (HBM, 3A090.c)",
    "dense_tops": "dense peak tera-operations per second at bit_length",
    "bit_length": "operand bit length for dense_tops",
    "datacenter": "1 if designed or marketed for data centres, 0 if not (absent: assumed 1)",
}

# A table of dense peak throughputs by precision: TPP is the highest TOPS × bit length.
PRECISION_BITS: dict[str, int] = {
    "tops_int4": 4,
    "tops_fp4": 4,
    "tops_int8": 8,
    "tops_fp8": 8,
    "tops_fp16": 16,
    "tops_bf16": 16,
    "tops_fp32": 32,
    "tops_fp64": 64,
}
for _name, _bits in PRECISION_BITS.items():
    PARAMS[_name] = f"dense peak TOPS (or TFLOPS) at {_bits}-bit precision"


def is_param(name: str) -> bool:
    return name in PARAMS


def parse_spec(text: str) -> tuple[str, float]:
    """``tpp=15832`` → ("tpp", 15832.0). Raises ValueError with a reason."""
    name, sep, raw = text.partition("=")
    name = name.strip().lower().replace("-", "_")
    if not sep or not name:
        raise ValueError(f"'{text}' is not KEY=VALUE (e.g. tpp=15832)")
    if name not in PARAMS:
        raise ValueError(f"unknown parameter '{name}'; known: {', '.join(PARAMS)}")
    value = raw.strip().lower()
    if name == "datacenter" and value in ("yes", "true", "no", "false"):
        return name, 1.0 if value in ("yes", "true") else 0.0
    try:
        number = float(raw.replace(",", "").strip())
    except ValueError:
        raise ValueError(f"'{raw.strip()}' is not a number for {name}") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0:
        raise ValueError(f"{name} must be a finite, non-negative number")
    return name, number
