// Unit tests for the local summarizer of domain/memory: sentence splitting, the fact rules, the
// emotion vocabulary and mood extraction, and ExtractiveSummarizer end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/memory/date_mentions.hpp"
#include "domain/memory/emotions.hpp"
#include "domain/memory/extraction_rules.hpp"
#include "domain/memory/extractive_summarizer.hpp"
#include "domain/memory/mood_lexicon.hpp"
#include "domain/memory/sentences.hpp"
#include "domain/memory/utf8.hpp"
#include "domain/memory/words.hpp"
#include "domain/text.hpp"

namespace {

using namespace aimi::memory;

using KindRef = std::pair<std::string, std::string>;

// A string literal with every byte, embedded NULs included.
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
    return std::string(literal, N - 1);
}

// Every (kind, ref) pair of the summary's facts.
std::set<KindRef> kind_refs(const Summary& summary) {
    std::set<KindRef> out;
    for (const ExtractedFact& fact : summary.facts)
        for (const std::string& ref : fact.refs) out.emplace(fact.kind, ref);
    return out;
}

// Facts as a set, refs sorted: what must not depend on the order of the items.
std::set<std::tuple<std::string, std::string, std::vector<std::string>>> fact_set(const Summary& summary) {
    std::set<std::tuple<std::string, std::string, std::vector<std::string>>> out;
    for (ExtractedFact fact : summary.facts) {
        std::sort(fact.refs.begin(), fact.refs.end());
        out.emplace(fact.kind, fact.text, fact.refs);
    }
    return out;
}

std::vector<std::string_view> kinds_of(std::string_view sentence, std::string_view role = "user") {
    return fact_kinds(rule_words(sentence), role, sentence.ends_with('?'));
}

bool has_kind(std::string_view sentence, std::string_view kind) {
    const auto kinds = kinds_of(sentence);
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

bool names_date(std::string_view sentence) {
    return mentions_date_or_time(rule_words(sentence));
}

Summary summarize(std::vector<SourceItem> items, std::string purpose = "session_summary") {
    ExtractiveSummarizer summarizer;
    return summarizer.summarize(SummaryRequest{std::move(purpose), "", std::move(items)});
}

const std::vector<SourceItem> kEnglishSession = {
    {"1", "user", "Hi! I'm a teacher and I live in Berlin with my husband."},
    {"2", "assistant", "Nice to meet you! How are you feeling today?"},
    {"3", "user", "Honestly I'm exhausted. Work has been really stressful this week, e.g. grading 120 essays."},
    {"4", "assistant", "That sounds like a lot. What would help you rest?"},
    {"5", "user", "I love running in the morning, it clears my head. I don't like gyms though."},
    {"6", "assistant", "Running sounds great. Do you want to plan a run?"},
    {"7", "user", "Yes. Tomorrow I'll go for a 5k run at 6.30 before school."},
    {"8", "user", "I also need to call my sister on Monday, her birthday is on 12 March."},
    {"9", "assistant", "I'll remind you on Monday at 9am. Anything else?"},
    {"10", "user", "Not really. I'm not happy about my sleep, I want to be in bed by 10:30pm."},
};

const std::vector<SourceItem> kRussianSession = {
    {"21", "user", "Привет! Меня зовут Аня, я живу в Казани и работаю дизайнером."},
    {"22", "assistant", "Привет, Аня! Как ты себя чувствуешь?"},
    {"23", "user", "Честно говоря, я очень устала. На работе завал, т.е. три проекта сразу."},
    {"24", "assistant", "Похоже, нагрузка большая. Что тебе помогает восстановиться?"},
    {"25", "user", "Я люблю плавать и гулять с собакой. Не люблю шумные компании."},
    {"26", "user", "У меня есть собака, её зовут Рыжик."},
    {"27", "assistant", "Звучит здорово! Может, запланируем прогулку?"},
    {"28", "user", "Да, завтра я пойду в бассейн в 7 утра."},
    {"29", "user", "А в пятницу нужно сдать макет, дедлайн 15 марта."},
    {"30", "user", "Не рада, что так много работы, но надеюсь, что на следующей неделе станет легче."},
};

// ---- sentences ----

TEST(ExtractiveSummarizer, SplitsSentencesButNotAbbreviationsNumbersOrInitials) {
    EXPECT_EQ(
        split_sentences("Dr. Smith said hi. J. K. Rowling wrote it... Really?! Yes (I think)."),
        (std::vector<std::string>{"Dr. Smith said hi.", "J. K. Rowling wrote it...", "Really?!", "Yes (I think)."}));
    EXPECT_EQ(split_sentences("Run at 6.30, e.g. in the park. It is 3.5 km; see example.com. Done"),
              (std::vector<std::string>{"Run at 6.30, e.g. in the park.", "It is 3.5 km; see example.com.", "Done"}));
    EXPECT_EQ(split_sentences("Встреча 12.03.2024 в 18.00, т.е. вечером. А. С. Пушкин — поэт! Ок…  Дальше"),
              (std::vector<std::string>{"Встреча 12.03.2024 в 18.00, т.е. вечером.", "А. С. Пушкин — поэт!", "Ок…",
                                        "Дальше"}));
    EXPECT_EQ(split_sentences("Apples, pears, etc. Then home. Яблоки и т.д. и т.п. Потом дом. Это был я. Всё."),
              (std::vector<std::string>{"Apples, pears, etc.", "Then home.", "Яблоки и т.д. и т.п.", "Потом дом.",
                                        "Это был я.", "Всё."}));
}

TEST(ExtractiveSummarizer, SplitsOnLineBreaksAndDropsBulletsAndEmptySentences) {
    EXPECT_EQ(split_sentences("Plan:\n1. Buy milk\n2) Call mom\n- stretch\n• sleep early\r\n\r\n🏃 ... !!\n"),
              (std::vector<std::string>{"Plan:", "Buy milk", "Call mom", "stretch", "sleep early"}));
    EXPECT_EQ(split_sentences("  many    spaces\there  "), (std::vector<std::string>{"many spaces here"}));
    EXPECT_TRUE(split_sentences("").empty());
}

TEST(ExtractiveSummarizer, CutsSentencesWithoutPunctuation) {
    std::string text;
    for (int i = 0; i < 500; ++i) text += "слово word ";
    const auto sentences = split_sentences(text);
    ASSERT_GT(sentences.size(), 5u);
    for (const std::string& s : sentences) {
        EXPECT_LE(count_code_points(s), kMaxSentenceCodePoints);
        EXPECT_TRUE(aimi::is_storable_text(s));
        EXPECT_FALSE(s.starts_with(' ') || s.ends_with(' '));
    }
    std::vector<std::string> limited;
    split_sentences(text, limited, 3);
    EXPECT_EQ(limited.size(), 3u);
}

TEST(ExtractiveSummarizer, SentencesOfBrokenTextAreValidUtf8) {
    const std::string text =
        bytes("caf\xc3 ok. Bad \xff\xfe bytes! Nul\0byte and \x01 control.") + "\xe2\x80 cut \xf0\x9f\x98";
    const auto sentences = split_sentences(text);
    ASSERT_FALSE(sentences.empty());
    for (const std::string& s : sentences) EXPECT_TRUE(aimi::is_storable_text(s)) << s;
    EXPECT_EQ(sentences[0], "caf\uFFFD ok.");
}

// ---- the rules ----

TEST(ExtractiveSummarizer, FactRules) {
    for (const char* s : {"I'm a teacher.", "I am an engineer at Siemens.", "I live in Berlin.", "I work at a bank.",
                          "My sister is a doctor.", "My name is Ann.", "I have two kids.", "I'm 34 years old.",
                          "Меня зовут Аня.", "Я живу в Казани.", "Я работаю в школе.", "У меня есть кошка.",
                          "Моя сестра врач.", "Мне 34 года.", "Я студентка."})
        EXPECT_TRUE(has_kind(s, kFactKind)) << s;
    for (const char* s : {"I'm a bit tired.", "The weather is nice.", "Погода хорошая.", "I went home."})
        EXPECT_FALSE(has_kind(s, kFactKind)) << s;
}

TEST(ExtractiveSummarizer, PlanRules) {
    for (const char* s : {"I will run.", "I'll call her.", "I'm going to quit sugar.", "I plan to read more.",
                          "I want to sleep earlier.", "I need to see a dentist.", "Tomorrow I start yoga.",
                          "Я буду бегать.", "Собираюсь записаться в зал.", "Планирую отпуск.", "Хочу выспаться.",
                          "Нужно позвонить маме.", "Надо купить молоко.", "Завтра я иду к врачу."})
        EXPECT_TRUE(has_kind(s, kPlanKind)) << s;
    for (const char* s : {"I ran yesterday.", "It was fun.", "Вчера было весело.", "Он хороший."})
        EXPECT_FALSE(has_kind(s, kPlanKind)) << s;
}

TEST(ExtractiveSummarizer, PreferenceRules) {
    for (const char* s : {"I like tea.", "I love swimming.", "I prefer mornings.", "I really enjoy yoga.",
                          "I hate traffic.", "I don't like gyms.", "My favorite food is pho.", "Я люблю чай.",
                          "Мне нравится плавать.", "Мне очень не нравится шум.", "Предпочитаю утро.", "Не люблю шум.",
                          "Ненавижу пробки.", "Моя любимая еда — борщ."})
        EXPECT_TRUE(has_kind(s, kPreferenceKind)) << s;
    for (const char* s : {"I'd like to rest.", "She likes tea.", "Он любит чай."})
        EXPECT_FALSE(has_kind(s, kPreferenceKind)) << s;
}

TEST(ExtractiveSummarizer, DateRules) {
    for (const char* s : {"Meet on 2024-03-12.",
                          "It is on 12 March.",
                          "March 12th works.",
                          "See you on Monday.",
                          "Call me tomorrow.",
                          "Next week is busy.",
                          "Wake up at 6pm.",
                          "At 7 I run.",
                          "Leave at 18:00.",
                          "in 3 days",
                          "two weeks ago",
                          "on the 5th",
                          "every morning",
                          "Run at 6.30 today.",
                          "Due 12/03/2024.",
                          "since 2019",
                          "в понедельник",
                          "завтра",
                          "послезавтра",
                          "на следующей неделе",
                          "12 марта",
                          "в 18:00",
                          "в 7 утра",
                          "через неделю",
                          "в марте",
                          "по утрам",
                          "в 2025 году",
                          "в среду"})
        EXPECT_TRUE(names_date(s)) << s;
    for (const char* s : {"I'm happy today.", "This may help.", "I ran 3.5 km.", "Сегодня хорошо.",
                          "Окружающая среда важна.", "I have 2 cats.", "Page 12 of the book.", "Купил 3 яблока."})
        EXPECT_FALSE(names_date(s)) << s;
}

TEST(ExtractiveSummarizer, RolesDecideWhichRulesSpeak) {
    const std::string sentence = "I'll remind you tomorrow at 9am.";
    EXPECT_EQ(kinds_of(sentence, "user"), (std::vector<std::string_view>{kPlanKind, kDateKind}));
    EXPECT_EQ(kinds_of(sentence, "summary"), (std::vector<std::string_view>{kPlanKind, kDateKind}));
    EXPECT_EQ(kinds_of(sentence, "assistant"), (std::vector<std::string_view>{kDateKind}));
    EXPECT_TRUE(kinds_of("Shall we talk tomorrow?", "assistant").empty()) << "an assistant's question";
    EXPECT_TRUE(kinds_of(sentence, "system").empty());
    EXPECT_TRUE(kinds_of("I'm happy.", "assistant").empty()) << "the assistant's mood is not the user's";
}

// ---- sessions ----

TEST(ExtractiveSummarizer, EnglishSession) {
    const Summary summary = summarize(kEnglishSession);
    EXPECT_EQ(kind_refs(summary), (std::set<KindRef>{
                                      {"fact", "1"},
                                      {"fact", "8"},
                                      {"mood", "3"},
                                      {"mood", "10"},
                                      {"date", "3"},
                                      {"date", "7"},
                                      {"date", "8"},
                                      {"date", "9"},
                                      {"date", "10"},
                                      {"preference", "5"},
                                      {"plan", "7"},
                                      {"plan", "8"},
                                      {"plan", "10"},
                                  }));
    // Facts are whole sentences, one per sentence and kind.
    const auto preference_texts = [&] {
        std::vector<std::string> texts;
        for (const auto& fact : summary.facts)
            if (fact.kind == "preference") texts.push_back(fact.text);
        return texts;
    }();
    EXPECT_EQ(preference_texts, (std::vector<std::string>{"I love running in the morning, it clears my head.",
                                                          "I don't like gyms though."}));
    ASSERT_EQ(summary.key_points.size(), 3u);
    std::string joined;
    for (const std::string& point : summary.key_points) joined += (joined.empty() ? "" : " ") + point;
    EXPECT_EQ(summary.text, joined);
    EXPECT_NE(summary.text.find("call my sister on Monday"), std::string::npos) << summary.text;
    EXPECT_EQ(summary.usage.tokens_in, 131);
    EXPECT_EQ(summary.usage.tokens_out, static_cast<std::int64_t>(count_words(summary.text)));
}

TEST(ExtractiveSummarizer, RussianSession) {
    const Summary summary = summarize(kRussianSession);
    EXPECT_EQ(kind_refs(summary), (std::set<KindRef>{
                                      {"fact", "21"},
                                      {"fact", "26"},
                                      {"mood", "23"},
                                      {"mood", "30"},
                                      {"preference", "25"},
                                      {"plan", "28"},
                                      {"plan", "29"},
                                      {"date", "28"},
                                      {"date", "29"},
                                      {"date", "30"},
                                  }));
    ASSERT_EQ(summary.key_points.size(), 3u);
    for (const std::string& point : summary.key_points) EXPECT_TRUE(aimi::is_storable_text(point));
    EXPECT_GT(summary.usage.tokens_out, 0);
}

TEST(ExtractiveSummarizer, MixedLanguagesAndRoles) {
    const Summary summary = summarize({
        {"s", "system", "You are Aimi, a coach. I will always be kind."},
        {"1", "user", "Hey! I'm so stressed, у меня завтра экзамен."},
        {"2", "assistant", "You can do it! Do you want to review tonight?"},
        {"3", "user", "Да, хочу повторить вечером. I prefer studying at night."},
        {"4", "user", "I'm so stressed!"},
    });
    EXPECT_EQ(kind_refs(summary), (std::set<KindRef>{
                                      {"mood", "1"},
                                      {"mood", "4"},
                                      {"date", "1"},
                                      {"plan", "3"},
                                      {"preference", "3"},
                                  }));
    for (const std::string& point : summary.key_points)
        EXPECT_EQ(point.find("Aimi"), std::string::npos) << "system text is never picked";
    // Two different sentences about stress stay two facts.
    for (const auto& fact : summary.facts) {
        if (fact.text == "I'm so stressed!") {
            EXPECT_EQ(fact.refs, (std::vector<std::string>{"4"}));
        }
    }
}

TEST(ExtractiveSummarizer, RepeatedSentencesMergeIntoOneFact) {
    const Summary summary = summarize({
        {"1", "user", "I'm tired."},
        {"2", "user", "Okay."},
        {"3", "user", "i'm TIRED!"},
    });
    ASSERT_EQ(summary.facts.size(), 1u);
    EXPECT_EQ(summary.facts[0].kind, "mood");
    EXPECT_EQ(summary.facts[0].text, "I'm tired.");
    EXPECT_EQ(summary.facts[0].refs, (std::vector<std::string>{"1", "3"}));
    EXPECT_EQ(summary.key_points.size(), 2u) << "the repeat is not picked twice";
}

TEST(ExtractiveSummarizer, Deterministic) {
    const Summary a = summarize(kEnglishSession), b = summarize(kEnglishSession);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.key_points, b.key_points);
    ASSERT_EQ(a.facts.size(), b.facts.size());
    for (std::size_t i = 0; i < a.facts.size(); ++i) {
        EXPECT_EQ(a.facts[i].kind, b.facts[i].kind);
        EXPECT_EQ(a.facts[i].text, b.facts[i].text);
        EXPECT_EQ(a.facts[i].refs, b.facts[i].refs);
    }
}

TEST(ExtractiveSummarizer, PermutedItemsChangeOnlyOrder) {
    std::vector<SourceItem> items = kEnglishSession;
    items.insert(items.end(), kRussianSession.begin(), kRussianSession.end());
    items.push_back({"31", "user", "Honestly I'm exhausted."});
    const Summary forward = summarize(items);
    std::reverse(items.begin(), items.end());
    const Summary backward = summarize(items);
    EXPECT_EQ(fact_set(forward), fact_set(backward));
    EXPECT_EQ(forward.usage.tokens_in, backward.usage.tokens_in);
    EXPECT_EQ(forward.key_points.size(), backward.key_points.size());
}

TEST(ExtractiveSummarizer, BudgetDependsOnPurpose) {
    std::vector<SourceItem> items = kEnglishSession;
    items.insert(items.end(), kRussianSession.begin(), kRussianSession.end());
    EXPECT_EQ(summarize(items, "session_summary").key_points.size(), 3u);
    EXPECT_EQ(summarize(items, "daily_summary").key_points.size(), 5u);
    EXPECT_EQ(summarize(items, "weekly_summary").key_points.size(), 7u);
    EXPECT_EQ(summarize(items, "something_new").key_points.size(), 3u);
}

TEST(ExtractiveSummarizer, ModelId) {
    ExtractiveSummarizer summarizer;
    EXPECT_EQ(summarizer.model().provider, "local");
    EXPECT_EQ(summarizer.model().name, "extractive");
    EXPECT_EQ(summarizer.model().version, "v1");
}

// ---- edge cases ----

TEST(ExtractiveSummarizer, NoItemsGiveAnEmptySummary) {
    const Summary summary = summarize({});
    EXPECT_TRUE(summary.text.empty());
    EXPECT_TRUE(summary.key_points.empty());
    EXPECT_TRUE(summary.facts.empty());
    EXPECT_EQ(summary.usage.tokens_in, 0);
    EXPECT_EQ(summary.usage.tokens_out, 0);
}

TEST(ExtractiveSummarizer, ItemsWithoutWordsGiveAnEmptySummary) {
    const Summary summary =
        summarize({{"1", "user", ""}, {"2", "user", "   \n\n "}, {"3", "user", "👍🏽 ❤️ ?!…"}});
    EXPECT_TRUE(summary.text.empty());
    EXPECT_TRUE(summary.facts.empty());
}

TEST(ExtractiveSummarizer, LongTextWithoutPunctuationIsCutIntoKeyPoints) {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += (i % 50 == 7) ? "i will go running tomorrow " : "blah ";
    const Summary summary = summarize({{"1", "user", text}});
    ASSERT_FALSE(summary.key_points.empty());
    for (const std::string& point : summary.key_points) {
        EXPECT_LE(count_code_points(point), ExtractiveSummarizer::kMaxKeyPointCodePoints);
        EXPECT_TRUE(aimi::is_storable_text(point));
    }
    EXPECT_EQ(summary.usage.tokens_in, 20000 + 400 * 4);
    EXPECT_FALSE(summary.facts.empty());
}

TEST(ExtractiveSummarizer, ReadsOnlyTheFirstSentences) {
    std::vector<SourceItem> items;
    for (int i = 0; i < 3000; ++i) {
        std::string text = "Sentence number " + std::to_string(i) + " is here.";
        if (i == 10) text = "I live in Lisbon.";
        if (i == 2500) text = "I live in Paris.";
        items.push_back({std::to_string(i), "user", text});
    }
    const Summary summary = summarize(items);
    const auto pairs = kind_refs(summary);
    EXPECT_TRUE(pairs.contains({"fact", "10"}));
    EXPECT_FALSE(pairs.contains({"fact", "2500"})) << "past the first " << ExtractiveSummarizer::kMaxSentences;
    EXPECT_EQ(summary.key_points.size(), 3u);
}

TEST(ExtractiveSummarizer, LongSentencesAreClippedInKeyPoints) {
    std::string sentence = "I want to";
    while (count_code_points(sentence) < 280) sentence += " очень долго бежать";
    sentence += ".";
    const Summary summary = summarize({{"1", "user", sentence}});
    ASSERT_EQ(summary.key_points.size(), 1u);
    EXPECT_LE(count_code_points(summary.key_points[0]), 200u);
    EXPECT_TRUE(summary.key_points[0].ends_with("\u2026"));
    ASSERT_FALSE(summary.facts.empty());
    EXPECT_EQ(summary.facts[0].text, sentence) << "facts keep the whole sentence";
}

TEST(ExtractiveSummarizer, OddUnicodeAndBrokenBytes) {
    const Summary summary = summarize({
        {"1", "user", bytes("I'm happy \xff\xfe today\xc3. Cafe\xcc\x81 time 🏃🏽‍♀️!")},
        {"2", "user", bytes("Nul\0inside. Я ЛЮБЛЮ ЁЛКИ\xe2\x80")},
    });
    for (const std::string& point : summary.key_points) EXPECT_TRUE(aimi::is_storable_text(point)) << point;
    for (const ExtractedFact& fact : summary.facts) EXPECT_TRUE(aimi::is_storable_text(fact.text)) << fact.text;
    EXPECT_TRUE(aimi::is_storable_text(summary.text));
    EXPECT_TRUE(kind_refs(summary).contains({"mood", "1"}));
    EXPECT_TRUE(kind_refs(summary).contains({"preference", "2"}));
}

// ---- emotions ----

TEST(Emotions, Vocabulary) {
    const auto& names = emotions();
    EXPECT_EQ(names.size(), 22u);
    EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size());
    for (std::string_view name :
         {"joy",    "gratitude", "calm",       "contentment", "hope",      "pride",   "love",  "excitement",
          "relief", "sadness",   "loneliness", "anxiety",     "stress",    "fear",    "anger", "frustration",
          "guilt",  "shame",     "boredom",    "confusion",   "tiredness", "surprise"})
        EXPECT_TRUE(is_known_emotion(name)) << name;
    for (std::string_view name : {"", "Joy", "happiness", "joy ", "tired"}) EXPECT_FALSE(is_known_emotion(name));
}

TEST(Emotions, LexiconUsesOnlyTheVocabulary) {
    for (const MoodEntry& entry : mood_lexicon()) {
        EXPECT_GE(entry.mood, 1) << entry.pattern;
        EXPECT_LE(entry.mood, 10) << entry.pattern;
        EXPECT_GE(entry.energy, 0) << entry.pattern;
        EXPECT_LE(entry.energy, 10) << entry.pattern;
        std::string_view names = entry.emotions;
        while (!names.empty()) {
            const std::size_t comma = std::min(names.find(','), names.size());
            EXPECT_TRUE(is_known_emotion(names.substr(0, comma))) << entry.pattern;
            names.remove_prefix(std::min(comma + 1, names.size()));
        }
    }
}

TEST(Emotions, NoMoodWordNoState) {
    EXPECT_FALSE(extract_mental_state(""));
    EXPECT_FALSE(extract_mental_state("Please book a table for two."));
    EXPECT_FALSE(extract_mental_state("Забронируй столик на двоих."));
    EXPECT_FALSE(extract_mental_state(bytes("\xff\xfe\x00")));
}

TEST(Emotions, EnglishWords) {
    const auto happy = extract_mental_state("I'm so happy today!");
    ASSERT_TRUE(happy);
    EXPECT_GE(happy->mood, 7);
    EXPECT_EQ(happy->energy, 0) << "nothing was said about energy";
    EXPECT_EQ(happy->emotions, (std::vector<std::string>{"joy"}));

    const auto tired = extract_mental_state("Completely exhausted after work");
    ASSERT_TRUE(tired);
    EXPECT_LE(tired->mood, 4);
    EXPECT_GE(tired->energy, 1);
    EXPECT_LE(tired->energy, 3);
    EXPECT_EQ(tired->emotions, (std::vector<std::string>{"tiredness"}));

    const auto mixed = extract_mental_state("Anxious and stressed, but grateful for my friends. Anxious again.");
    ASSERT_TRUE(mixed);
    EXPECT_EQ(mixed->emotions, (std::vector<std::string>{"anxiety", "gratitude", "stress"})) << "sorted, unique";
}

TEST(Emotions, RussianWordForms) {
    for (const char* text : {"Я устал", "я устала", "Усталость накопилась", "совсем вымоталась"}) {
        const auto state = extract_mental_state(text);
        ASSERT_TRUE(state) << text;
        EXPECT_EQ(state->emotions, (std::vector<std::string>{"tiredness"})) << text;
        EXPECT_LE(state->energy, 3) << text;
    }
    const auto burned = extract_mental_state("Кажется, я выгорел на работе");
    ASSERT_TRUE(burned);
    EXPECT_EQ(burned->emotions, (std::vector<std::string>{"stress", "tiredness"}));
    for (const char* text : {"Я так рада!", "Я счастлив", "Всё отлично, мне хорошо"}) {
        const auto state = extract_mental_state(text);
        ASSERT_TRUE(state) << text;
        EXPECT_GE(state->mood, 7) << text;
    }
    const auto love = extract_mental_state("Кажется, я влюблён");
    ASSERT_TRUE(love);
    EXPECT_EQ(love->emotions, (std::vector<std::string>{"love"})) << "ё and е are one letter here";
}

TEST(Emotions, NegationFlipsOrCancels) {
    const auto not_happy = extract_mental_state("I'm not happy with how things are");
    ASSERT_TRUE(not_happy);
    EXPECT_LE(not_happy->mood, 4);
    EXPECT_TRUE(not_happy->emotions.empty());

    const auto ne_rad = extract_mental_state("Я не очень рад");
    ASSERT_TRUE(ne_rad);
    EXPECT_LE(ne_rad->mood, 5);
    EXPECT_TRUE(ne_rad->emotions.empty());

    const auto not_tired = extract_mental_state("I'm not tired at all");
    ASSERT_TRUE(not_tired);
    EXPECT_GE(not_tired->mood, 6);
    EXPECT_GE(not_tired->energy, 6);
    EXPECT_TRUE(not_tired->emotions.empty());

    const auto dont_feel = extract_mental_state("I don't feel great");
    ASSERT_TRUE(dont_feel);
    EXPECT_LE(dont_feel->mood, 5);
    EXPECT_TRUE(dont_feel->emotions.empty());

    const auto clause = extract_mental_state("Not sad, just tired.");
    ASSERT_TRUE(clause);
    EXPECT_EQ(clause->emotions, (std::vector<std::string>{"tiredness"})) << "the comma ends the negation";

    const auto no_then = extract_mental_state("No. I'm happy.");
    ASSERT_TRUE(no_then);
    EXPECT_EQ(no_then->emotions, (std::vector<std::string>{"joy"}));

    const auto phrase = extract_mental_state("Я не выспалась");
    ASSERT_TRUE(phrase);
    EXPECT_EQ(phrase->emotions, (std::vector<std::string>{"tiredness"})) << "a phrase that holds its own не";
}

// ---- property: random text never breaks anything ----

std::string random_text(std::mt19937& rng) {
    static const std::vector<std::string> kPieces = {
        "I'm",         "happy",     "not",      "tired",  "tomorrow", "I will", "I like", "my sister",
        "at 6pm",      "on Monday", "я",        "устала", "не",       "рад",    "завтра", "люблю",
        "у меня есть", "в 18:00",   "12 марта", "e.g.",   "т.е.",     ".",      "!",      "?",
        "…",           "...",       "\n",       " ",      "  ",       ",",      "6.30",   "3.5",
        "J.",          "Dr.",       "1.",       "- ",     "\"",       "(",      ")",      "🏃🏽‍♀️",
        "😀",           "\u0301",    "東京",     "\u200B", "\uFEFF",   "\u2028", "\t",     "\r\n",
    };
    std::uniform_int_distribution<int> kind(0, 9), piece(0, static_cast<int>(kPieces.size()) - 1), byte(0, 255),
        length(0, 40), code_point(0x20, 0x10FFFF);
    std::string text;
    const int n = length(rng);
    for (int i = 0; i < n; ++i) {
        switch (kind(rng)) {
            case 0:  // a random byte: invalid UTF-8, NUL, controls
                text += static_cast<char>(byte(rng));
                break;
            case 1: {  // a random valid code point
                char32_t c = static_cast<char32_t>(code_point(rng));
                if (c >= 0xD800 && c <= 0xDFFF) c = U'?';
                aimi::append_utf8(text, c);
                break;
            }
            default:
                text += kPieces[static_cast<std::size_t>(piece(rng))];
                text += ' ';
        }
    }
    return text;
}

TEST(ExtractiveSummarizer, RandomInputsNeverBreakAnything) {
    std::mt19937 rng(20240611);  // fixed seed: the same inputs on every run
    std::uniform_int_distribution<int> item_count(0, 6), role(0, 3), purpose(0, 2);
    static const std::vector<std::string> kRoles = {"user", "assistant", "system", "summary"};
    static const std::vector<std::string> kPurposes = {"session_summary", "daily_summary", "weekly_summary"};
    static const std::set<std::string> kKinds = {"fact", "plan", "preference", "date", "mood"};
    ExtractiveSummarizer summarizer;
    for (int round = 0; round < 3000; ++round) {
        SummaryRequest request{kPurposes[static_cast<std::size_t>(purpose(rng))], "", {}};
        std::set<std::string> refs;
        const int n = item_count(rng);
        for (int i = 0; i < n; ++i) {
            request.items.push_back({std::to_string(round) + "-" + std::to_string(i),
                                     kRoles[static_cast<std::size_t>(role(rng))], random_text(rng)});
            refs.insert(request.items.back().ref);
        }
        Summary summary;
        ASSERT_NO_THROW(summary = summarizer.summarize(request)) << "round " << round;
        ASSERT_TRUE(aimi::is_storable_text(summary.text)) << "round " << round;
        ASSERT_LE(summary.key_points.size(), ExtractiveSummarizer::sentence_budget(request.purpose));
        for (const std::string& point : summary.key_points) {
            ASSERT_TRUE(aimi::is_storable_text(point)) << "round " << round;
            ASSERT_LE(count_code_points(point), ExtractiveSummarizer::kMaxKeyPointCodePoints);
            ASSERT_FALSE(point.empty());
        }
        for (const ExtractedFact& fact : summary.facts) {
            ASSERT_TRUE(kKinds.contains(fact.kind)) << fact.kind;
            ASSERT_TRUE(aimi::is_storable_text(fact.text)) << "round " << round;
            ASSERT_FALSE(fact.refs.empty());
            for (const std::string& ref : fact.refs) ASSERT_TRUE(refs.contains(ref)) << ref;
        }
        ASSERT_EQ(summary.usage.tokens_out, static_cast<std::int64_t>(count_words(summary.text)));
        for (const SourceItem& item : request.items) {
            const auto state = extract_mental_state(item.text);
            if (!state) continue;
            ASSERT_GE(state->mood, 1);
            ASSERT_LE(state->mood, 10);
            ASSERT_GE(state->energy, 0);
            ASSERT_LE(state->energy, 10);
            ASSERT_TRUE(std::is_sorted(state->emotions.begin(), state->emotions.end()));
            ASSERT_EQ(std::adjacent_find(state->emotions.begin(), state->emotions.end()), state->emotions.end());
            for (const std::string& name : state->emotions) ASSERT_TRUE(is_known_emotion(name)) << name;
        }
    }
}

}  // namespace
