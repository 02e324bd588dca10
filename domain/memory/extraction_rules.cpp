#include "domain/memory/extraction_rules.hpp"

#include "domain/memory/date_mentions.hpp"
#include "domain/memory/emotions.hpp"
#include "domain/memory/word_patterns.hpp"

namespace aimi::memory {
namespace {

// Who the user is: job, home, family, body, origin.
const PatternSet& fact_patterns() {
    static const PatternSet kPatterns({
        "(i'm|im|i am) a|an !bit|little|lot|mess|wreck|bundle|ball|total|complete|nervous|huge|big",
        "(i'm|im|i am) from|originally|married|single|divorced|engaged|widowed|pregnant|retired|vegetarian|vegan|"
        "allergic|unemployed|freelancing|based|studying|working",
        "(i'm|im|i am) # years|yo",
        "i live|lived in|on|at|with|alone|near|by|abroad|outside|downtown|together",
        "(i've|ive|i have) lived",
        "i work|worked at|as|for|in|from|remotely|nights|shifts",
        "(i've|ive|i have) (been working|worked) at|as|for|in",
        "i study|studied|teach|taught|speak|own|manage",
        "i was born|raised",
        "i grew up",
        "i|we moved to",
        "(my name is|my name's)",
        "my ?older|younger|little|big|best|new|old|oldest|youngest|elder|eldest|ex wife|husband|partner|boyfriend|"
        "girlfriend|son|sons|daughter|daughters|kid|kids|child|children|mom|mum|mother|dad|father|parents|sister|"
        "sisters|brother|brothers|grandma|grandmother|grandpa|grandfather|family|dog|cat|pet|job|boss|name|birthday|"
        "team|company|therapist|friend|colleague|coworker|roommate|neighbor|neighbour|aunt|uncle|cousin|fiance|"
        "fiancee|baby|hometown|salary|doctor|wife's|husband's|sister's|brother's|mom's|dad's",
        "(i have|i've|ive|i've got|i got|we have) ~? ~? kids|children|child|son|sons|daughter|daughters|sister|"
        "sisters|brother|brothers|wife|husband|partner|boyfriend|girlfriend|dog|dogs|cat|cats|baby|twins|pet|pets|"
        "grandchildren|car|house|apartment|flat|degree|diabetes|asthma|adhd|allergy|allergies|diagnosis|job",
        "меня зовут",
        "мое имя",
        "?я живу|жил|жила|живем в|во|на|с|со|у|один|одна|одни|недалеко|рядом|за",
        "работаю|работал|работала|работаем",
        "учусь|учился|училась|учимся|преподаю",
        "у меня есть",
        "у меня ~? сын|дочь|дочка|дети|детей|ребенок|двое|трое|четверо|сестра|брат|муж|жена|парень|девушка|собака|"
        "кот|кошка|машина|квартира|дом|диабет|астма|аллергия|внук|внучка|внуки|работа",
        "мне # лет|год|года",
        "я из !за",
        "я родился|родилась|вырос|выросла",
        "?я переехал|переехала|переехали в|во|на",
        "мой|моя|мое|мои ?старший|старшая|младший|младшая|лучший|лучшая|новый|новая|бывший|бывшая|родной|родная "
        "муж|жена|сестра|брат|сын|дочь|дочка|мама|мать|папа|отец|родители|парень|девушка|дети|ребенок|собака|кот|"
        "кошка|начальник|начальница|босс|друг|подруга|работа|профессия|семья|бабушка|дедушка|коллега|коллеги|"
        "психолог|терапевт|врач|квартира|дом|город",
        "я ~? студент|студентка|врач|учитель|учительница|программист|разработчик|инженер|дизайнер|менеджер|юрист|"
        "медсестра|бухгалтер|предприниматель|фрилансер|вегетарианец|вегетарианка|веган|мама|папа|пенсионер|"
        "пенсионерка|аналитик|преподаватель|психолог",
        "я замужем|женат|разведен|разведена|беременна",
        "(я на пенсии|я в декрете|я в разводе|по профессии|я говорю на)",
    });
    return kPatterns;
}

// What the user means to do.
const PatternSet& plan_patterns() {
    static const PatternSet kPatterns({
        "(i will|i'll|we will|we'll|i shall|i won't|i wont|we won't|i will not)",
        "(i'm|im|i am|we're|we are) going|gonna|planning|about|starting|leaving|meeting|flying|moving|seeing|"
        "visiting|signing|trying|hoping|determined",
        "i|we plan|intend|want|need|mean|aim|promise|decided|try|must|should|gotta|wanna",
        "(i have to|we have to|i've got to|ive got to|i have got to|i got to|i'd like to|i would like to|"
        "id like to|i'd love to|i would love to|i've decided|ive decided|i have decided)",
        "tomorrow|tonight ~? ~? i|i'll|i'm|im|we|we'll|we're",
        "next week|month|year|weekend ~? i|i'll|i'm|im|we|we'll|we're",
        "my|our plan|plans|goal|goals|aim|intention|resolution",
        "let's|lets",
        "буду|будем|собираюсь|собираемся|планирую|планируем|хочу|хотим|нужно|надо|придется|должен|должна|должны|"
        "постараюсь|попробую|попытаюсь|решил|решила|решили|намерен|намерена|обещаю",
        "хотел|хотела|хотелось|хотели бы",
        "пойду|схожу|сделаю|начну|позвоню|напишу|куплю|запишусь|поеду|лягу|встану|займусь|закончу|приготовлю|побегаю|"
        "вернусь|попрошу|поговорю|отдохну|посплю|поработаю|съезжу|встречусь|увижусь|начнем|пойдем|поедем|сходим|"
        "сделаем|попробуем|запишу|брошу|перестану",
        "завтра|послезавтра ~? ~? я|мы",
        "мой|моя|мои|наш|наша|наши план|планы|цель|цели",
    });
    return kPatterns;
}

// What the user likes and dislikes.
const PatternSet& preference_patterns() {
    static const PatternSet kPatterns({
        "i|we like|love|prefer|enjoy|hate|dislike|adore|detest|loathe|despise|fancy",
        "i|we don't|dont|never|didn't|didnt|can't|cant|cannot like|love|enjoy|mind|stand|bear|tolerate",
        "i|we do not like|love|enjoy|mind",
        "(i'm|im|i am) ?not into|fond|keen|crazy|obsessed",
        "(i'm|im|i am) ?not ?a ?big|huge fan",
        "(i'm|im|i am) ?not a|an morning|night|evening|early ?person|owl|bird|riser",
        "my|our favorite|favourite|fav|favorites|favourites",
        "(i'd|i would|id) rather",
        "люблю|любим|предпочитаю|предпочитаем|обожаю|ненавижу",
        "мне ?не нравится|нравятся|нравилось|понравилось|понравился|понравилась|понравились",
        "(терпеть не могу|не переношу|не выношу|по душе)",
        "мой|моя|мое|мои любим*",
        "я жаворонок|сова",
    });
    return kPatterns;
}

}  // namespace

std::vector<Word> rule_words(std::string_view sentence) {
    return split_words(sentence, {.join_apostrophes = true, .join_numbers = true});
}

std::vector<std::string_view> fact_kinds(const std::vector<Word>& words, std::string_view role, bool is_question) {
    std::vector<std::string_view> kinds;
    const bool speaks_for_user = role == "user" || role == "summary";
    if (!speaks_for_user && !(role == "assistant" && !is_question)) return kinds;
    if (speaks_for_user) {
        if (fact_patterns().found_in(words)) kinds.push_back(kFactKind);
        if (plan_patterns().found_in(words)) kinds.push_back(kPlanKind);
        if (preference_patterns().found_in(words)) kinds.push_back(kPreferenceKind);
    }
    if (mentions_date_or_time(words)) kinds.push_back(kDateKind);
    if (speaks_for_user && extract_mental_state(words)) kinds.push_back(kMoodKind);
    return kinds;
}

}  // namespace aimi::memory
