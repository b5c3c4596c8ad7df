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
    "datacenter": "1 if designed or marketed for data centres, 0 if not",
}


def is_param(name: str) -> bool:
    return name in PARAMS
