#pragma once

#include <memory>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace aimi {

namespace keys {
class KeyStore;
}

//! Every projection `aimi-projector` runs by name (AIMI_PROJECTION), and what it reads.
struct ProjectionSpec {
    enum class Input {
        events,  //!< the intake (user-events) topic: only the entity store, which decides
        facts,   //!< the facts topic: every read model after the entity store
    };
    std::string name;
    Input input;
    std::vector<std::string> tables;  //!< what it writes (reports, rebuild comparisons)
};

const std::vector<ProjectionSpec>& registered_projections();

//! The spec of `name`. @throws std::invalid_argument for an unknown name (listing the known ones).
const ProjectionSpec& projection_spec(const std::string& name);

//! Builds projection `name`. `intake_topic` names the topic facts refer to; `stage_facts` makes
//! the entity store stage the facts it decides (fact_outbox) for the relay.
//! `keys` opens sealed personal fields (and the entity store seals the facts it stages with them).
std::unique_ptr<Projection> make_projection(const std::string& name, const std::string& intake_topic, bool stage_facts,
                                            keys::KeyStore& keys);

}  // namespace aimi
