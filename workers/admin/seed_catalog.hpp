#pragma once

#include <string>

#include "projections/runtime_settings.hpp"

namespace aimi {

//! aimi-admin seed [FILE]: loads a learning catalog (tracks with their roadmaps, chat templates;
//! infra/seed/learning-catalog.json by default) into the catalog stream. Every record has a
//! deterministic id and idempotency key derived from the file (a track's slug, an item's index, a
//! template's scope and name), and records whose outcome is already recorded are not appended
//! again: a second run changes nothing. Needs the entity_store projector running (it decides).
//! Returns the exit status; a record the fold refuses (e.g. a slug another track took) is an error.
int seed_catalog(const RuntimeSettings& settings, const std::string& file);

}  // namespace aimi
