#include "workers/summarizer/summary_worker.hpp"

#include <charconv>

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/memory/emotions.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/text.hpp"
#include "domain/uuid.hpp"
#include "projections/serving_schemas.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"

namespace aimi::memory_workers {

namespace bj = boost::json;

namespace {

constexpr const char* kDueJobs = R"sql(
SELECT j.user_id::text, j.scope, j.kind, j.chat_id::text, j.session_id::text, j.local_date::text, j.generation,
       to_char(j.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       to_char(j.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       coalesce(u.time_zone, 'UTC'), coalesce(u.locale, '')
FROM summary_jobs j LEFT JOIN memory_users u ON u.user_id = j.user_id
WHERE j."partition" = ANY($1::int[]) AND j.generation > j.done_generation AND j.due_at <= now() + make_interval(secs => $3)
ORDER BY j.due_at, j.user_id, j.scope LIMIT $2)sql";

// A session's messages, the last 500 at most (a summary of more says little more).
constexpr const char* kSessionMessages = R"sql(
SELECT seq, role, content, to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
FROM (SELECT * FROM memory_messages WHERE user_id = $1::uuid AND session_id = $2::uuid
      ORDER BY seq DESC LIMIT 500) m ORDER BY seq)sql";

// A roll-up is made from the current session summaries that ended in its period.
constexpr const char* kPeriodSummaries = R"sql(
SELECT summary_id::text, text FROM summaries
WHERE user_id = $1::uuid AND kind = 'session' AND replaced_by IS NULL AND text <> ''
  AND period_end >= $2::timestamptz AND period_end < $3::timestamptz
ORDER BY period_end, summary_id LIMIT 200)sql";

// What an admin or test can read of the worker (alongside the prompt runs of the read model).
metrics::Counter& summaries_counter(const char* outcome) {
    return metrics::registry().counter("aimi_summaries_total", "Summary jobs done or failed by the summarizer",
                                       {{"outcome", outcome}});
}

//! Within summary.created's schema: valid UTF-8 without NUL (a provider may answer either), at most
//! `max` characters — a record the projector would refuse would be made again forever.
std::string clean(std::string_view text, std::size_t max) {
    std::string out;
    for (const char c : text)
        if (c != '\0') out += c;
    if (!is_storable_text(out)) out = storable_text_or_hex(out);
    return clip_utf8(out, max);
}

std::int64_t to_seq(const std::string& ref) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), v);
    return ec == std::errc{} && end == ref.data() + ref.size() ? v : 0;
}

}  // namespace

struct SummaryWorker::Job {
    std::string user_id, scope, kind, chat_id, session_id, local_date;
    std::int64_t generation = 1;
    std::string period_start, period_end, time_zone, locale;
    std::string key() const { return "summary:" + scope + ":" + std::to_string(generation); }
};

SummaryWorker::SummaryWorker(WorkerOptions options, memory::TextGenerator& generator, kafka::EventLogWriter& log,
                             keys::KeyStore& keys)
    : options_(std::move(options)),
      generator_(generator),
      log_(log),
      keys_(keys),
      in_flight_(std::chrono::seconds(60)) {}

std::size_t SummaryWorker::run_once(pqxx::connection& db, const std::set<int>& owned) {
    in_flight_.expire();
    if (owned.empty()) return 0;
    std::vector<Job> jobs;
    std::string schema;
    {
        pqxx::read_transaction tx(db, "due_summaries");
        schema = serving_schema(tx, options_.main_schema, "memory");
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        for (const auto& row : tx.exec_params(kDueJobs, int_array(owned), options_.batch + 100,
                                              static_cast<double>(options_.lookahead.count()))) {
            Job job{row[0].as<std::string>(),
                    row[1].as<std::string>(),
                    row[2].as<std::string>(),
                    row[3].is_null() ? "" : row[3].as<std::string>(),
                    row[4].is_null() ? "" : row[4].as<std::string>(),
                    row[5].is_null() ? "" : row[5].as<std::string>(),
                    row[6].as<std::int64_t>(),
                    row[7].as<std::string>(),
                    row[8].as<std::string>(),
                    row[9].as<std::string>(),
                    row[10].as<std::string>()};
            const auto key = job.user_id + ":" + job.key();
            if (in_flight_.contains(key)) continue;
            if (auto it = retries_.find(key);
                it != retries_.end() && it->second.not_before > std::chrono::steady_clock::now())
                continue;
            jobs.push_back(std::move(job));
            if (jobs.size() >= static_cast<std::size_t>(options_.batch)) break;
        }
    }
    for (const auto& job : jobs) summarize(db, schema, job);
    return in_flight_.flush(log_, options_.events_topic).size();
}

void SummaryWorker::summarize(pqxx::connection& db, const std::string& schema, const Job& job) {
    memory::SummaryRequest request;
    request.purpose = job.kind + "_summary";
    request.locale = job.locale;
    struct Message {
        std::int64_t seq;
        std::string role, content, posted_at;
    };
    std::vector<Message> messages;
    {
        pqxx::read_transaction tx(db, "summary_sources");
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        if (job.kind == "session") {
            for (const auto& row : tx.exec_params(kSessionMessages, job.user_id, job.session_id)) {
                messages.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                                    row[3].as<std::string>()});
                request.items.push_back(
                    {std::to_string(messages.back().seq), messages.back().role, messages.back().content});
            }
        } else {
            for (const auto& row : tx.exec_params(kPeriodSummaries, job.user_id, job.period_start, job.period_end))
                request.items.push_back({row[0].as<std::string>(), "summary", row[1].as<std::string>()});
        }
    }
    const auto key = job.user_id + ":" + job.key();
    std::vector<events::EventData> data;
    memory::Summary summary;
    const auto started = std::chrono::steady_clock::now();
    try {
        if (!request.items.empty()) summary = generator_.summarize(request);
    } catch (const memory::ProviderError& e) {
        const auto latency =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        auto& retry = retries_[key];
        ++retry.failures;
        retry.not_before =
            std::chrono::steady_clock::now() + backoff(retry.failures, options_.backoff_base, options_.backoff_max);
        spdlog::warn("summary {} of user {} failed (attempt {}): {}", job.scope, job.user_id, retry.failures, e.what());
        summaries_counter("failed").add();
        data.push_back(prompt_run_event({generator_.model(),
                                         request.purpose,
                                         job.scope,
                                         static_cast<std::int64_t>(request.items.size()),
                                         {},
                                         latency,
                                         e.what()}));
        const auto run_key = "prompt-run:" + new_uuid();
        auto record = dispatch::encode_record(
            {job.user_id, run_key, "summary-failed", options_.producer, std::move(data)}, keys_);
        if (record) in_flight_.stage(run_key, "prompt_run", std::move(*record));
        return;
    }
    retries_.erase(key);
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    bj::array facts;
    for (const auto& f : summary.facts) {
        if (facts.size() == 200) break;
        bj::object fact{{"kind", f.kind}, {"text", clean(f.text, 2000)}};
        bj::array refs;
        for (const auto& ref : f.refs) {
            if (refs.size() == 100) break;
            if (job.kind == "session") {
                if (const auto seq = to_seq(ref); seq > 0) refs.push_back(seq);
            } else {
                refs.push_back(bj::value(ref));
            }
        }
        if (!refs.empty()) fact[job.kind == "session" ? "message_seqs" : "summary_ids"] = std::move(refs);
        facts.push_back(std::move(fact));
    }
    bj::array key_points;
    for (const auto& p : summary.key_points)
        if (key_points.size() < 50) key_points.push_back(bj::value(clean(p, 2000)));
    const auto& model = generator_.model();
    bj::object created{
        {"summary_id", name_based_uuid(job.user_id, job.key())},
        {"kind", job.kind},
        {"scope", job.scope},
        {"generation", job.generation},
        {"time_zone", job.time_zone},
        {"period_start", job.period_start},
        {"period_end", job.period_end},
        {"text", clean(summary.text, 20000)},
        {"key_points", std::move(key_points)},
        {"facts", std::move(facts)},
        {"model", bj::object{{"provider", model.provider}, {"name", model.name}, {"version", model.version}}},
        {"source_count", static_cast<std::int64_t>(request.items.size())}};
    if (!job.chat_id.empty()) created["chat_id"] = job.chat_id;
    if (!job.session_id.empty()) created["session_id"] = job.session_id;
    if (!job.local_date.empty()) created["local_date"] = job.local_date;
    data.push_back(events::SummaryCreated{std::move(created)});

    // The moods a session's own messages show, once (the first summary of the session).
    if (job.kind == "session" && job.generation == 1)
        for (const auto& m : messages) {
            if (m.role != "user") continue;
            const auto state = memory::extract_mental_state(m.content);
            if (!state) continue;
            bj::array emotions;
            for (const auto& e : state->emotions) emotions.push_back(bj::value(e));
            bj::object recorded{{"mental_state_id",
                                 name_based_uuid(job.user_id, "mental:" + job.chat_id + ":" + std::to_string(m.seq))},
                                {"source", "extracted"},
                                {"mood", state->mood},
                                {"emotions", std::move(emotions)},
                                {"chat_id", job.chat_id},
                                {"message_seq", m.seq},
                                {"recorded_at", m.posted_at}};
            if (state->energy > 0) recorded["energy"] = state->energy;
            data.push_back(events::MentalStateRecorded{std::move(recorded)});
        }
    if (!request.items.empty())
        data.push_back(prompt_run_event({model, request.purpose, job.scope,
                                         static_cast<std::int64_t>(request.items.size()), summary.usage, latency, ""}));
    auto record =
        dispatch::encode_record({job.user_id, job.key(), "summary-due", options_.producer, std::move(data)}, keys_);
    if (!record) return;  // erased
    in_flight_.stage(key, "summary", std::move(*record));
    summaries_counter("done").add();
}

}  // namespace aimi::memory_workers
