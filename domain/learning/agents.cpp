#include "domain/learning/agents.hpp"

#include <set>

#include <fmt/format.h>

#include "domain/memory/sentences.hpp"
#include "domain/memory/stop_words.hpp"
#include "domain/memory/words.hpp"

namespace aimi::learning {

namespace {

std::set<std::string> content_words(std::string_view text) {
    std::set<std::string> out;
    for (auto& w : memory::split_words(text))
        if (w.text.size() > 2 && !memory::is_stop_word(w.text)) out.insert(std::move(w.text));
    return out;
}

std::string first_sentence(std::string_view text) {
    std::vector<std::string> sentences;
    memory::split_sentences(text, sentences, 1);
    return sentences.empty() ? std::string() : sentences.front();
}

//! The message, cut to a short quote at a word boundary.
std::string quote(std::string_view text) {
    constexpr std::size_t kMax = 120;
    if (text.size() <= kMax) return std::string(text);
    auto cut = text.substr(0, kMax);
    if (const auto space = cut.rfind(' '); space != std::string_view::npos && space > 40) cut = cut.substr(0, space);
    // never end inside a UTF-8 sequence
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) cut.remove_suffix(1);
    if (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80)) cut.remove_suffix(1);
    return std::string(cut) + "…";
}

struct Phrases {
    const char* no_track;
    const char* step;          // {0} step number, {1} of n, {2} title
    const char* mentor;        // {0} quote, {1} step text
    const char* mentor_close;  // {0} next step title
    const char* practice;      // {0} step title, {1} focus
    const char* practice_close;
    const char* simulation;  // {0} step title, {1} quote
    const char* simulation_close;
};

const Phrases kEnglish{
    "We are not on a track yet, so let's keep it general.",
    "Step {0} of {1}: “{2}”.",
    "You said: “{0}”. {1}",
    "When this feels solid, we move on to “{0}”.",
    "Hint for “{0}”: {1} Try one small attempt now and tell me what happened.",
    "Don't aim for perfect; aim for one more repetition than last time.",
    "Scenario: “{0}”. I'm your counterpart and I react to what you just did: “{1}”.",
    "Your move: answer me as you would in the real situation.",
};

const Phrases kRussian{
    "Мы пока не на треке, поэтому поговорим в общем.",
    "Шаг {0} из {1}: «{2}».",
    "Вы написали: «{0}». {1}",
    "Когда это станет уверенным, перейдём к шагу «{0}».",
    "Подсказка к шагу «{0}»: {1} Сделайте одну маленькую попытку сейчас и расскажите, что получилось.",
    "Не стремитесь к идеалу — стремитесь сделать на одно повторение больше, чем в прошлый раз.",
    "Сценарий: «{0}». Я ваш собеседник и реагирую на то, что вы сделали: «{1}».",
    "Ваш ход: ответьте мне так, как ответили бы в реальной ситуации.",
};

}  // namespace

const std::vector<AgentRoute>& agent_routes() {
    static const std::vector<AgentRoute> routes{
        {"mentor_chat", "v1", "reply", "chat"},
        {"practice_coach", "v1", "hint", "practice"},
        {"simulation_mentor", "v1", "turn", "simulation"},
    };
    return routes;
}

const AgentRoute* find_agent_route(std::string_view agent_id, std::string_view version, std::string_view action) {
    for (const auto& route : agent_routes())
        if (route.agent_id == agent_id && route.version == version && route.action == action) return &route;
    return nullptr;
}

std::optional<std::size_t> pick_roadmap_step(const AgentInput& input) {
    if (input.roadmap.empty()) return std::nullopt;
    const auto said = content_words(input.message);
    std::size_t best = 0, best_score = 0;
    for (std::size_t i = 0; i < input.roadmap.size(); ++i) {
        const auto& step = input.roadmap[i];
        std::size_t score = 0;
        for (const auto& w : content_words(step.title + " " + step.description)) score += said.count(w);
        if (score > best_score) best = i, best_score = score;
    }
    if (best_score > 0) return best + 1;
    // Else the step after those the thread's agent answers already covered.
    std::size_t answered = 0;
    for (const auto& m : input.history) answered += m.role == "assistant";
    return std::min(answered, input.roadmap.size() - 1) + 1;
}

std::string rule_based_agent_reply(const AgentRoute& route, const AgentInput& input) {
    const auto& p = input.locale.starts_with("ru") ? kRussian : kEnglish;
    const auto said = quote(input.message);
    const auto step = pick_roadmap_step(input);
    if (!step) {
        if (route.tab == "practice") return fmt::format(fmt::runtime(p.practice), said, p.practice_close);
        if (route.tab == "simulation")
            return fmt::format(fmt::runtime(p.simulation), said, said) + " " + p.simulation_close;
        return std::string(p.no_track) + " " + fmt::format(fmt::runtime(p.mentor), said, "");
    }
    const auto& s = input.roadmap[*step - 1];
    const auto heading = fmt::format(fmt::runtime(p.step), *step, input.roadmap.size(), s.title);
    auto focus = first_sentence(s.description);
    if (focus.empty()) focus = s.title + ".";
    if (route.tab == "practice")
        return heading + " " + fmt::format(fmt::runtime(p.practice), s.title, focus) + " " + p.practice_close;
    if (route.tab == "simulation")
        return heading + " " + fmt::format(fmt::runtime(p.simulation), s.title, said) + " " + p.simulation_close;
    auto reply =
        heading + " " + fmt::format(fmt::runtime(p.mentor), said, s.description.empty() ? focus : s.description);
    if (*step < input.roadmap.size())
        reply += " " + fmt::format(fmt::runtime(p.mentor_close), input.roadmap[*step].title);
    return reply;
}

}  // namespace aimi::learning
