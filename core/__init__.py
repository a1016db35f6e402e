"""The bottom layer: base model, domain errors, audit trail, tombstones and the registries through
which the apps above plug in (personal data). It imports none of Greenroom's apps."""
