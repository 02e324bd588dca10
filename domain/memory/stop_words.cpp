#include "domain/memory/stop_words.hpp"

#include <algorithm>
#include <vector>

namespace aimi::memory {
namespace {

constexpr std::string_view kEnglish =
    "a about after again all also am an and any are as at be because been before being both but by can could did "
    "do does doing don't down each even few for from get got had has have having he hello her here hi him his how "
    "i i'd i'll i'm i've if im in into is it it's its just let like me more most my myself no not now of oh ok "
    "okay on one only or other our out over please really same she should so some such than thank thanks that "
    "that's the their them then there these they this those to too under up very was we well were what when where "
    "which who why will with would yeah yes you you're your";
constexpr std::string_view kRussian =
    "а без более больше будет будто бы был была были было быть в вам вас ведь во вот все всего всех всю вы где да "
    "даже для до его ее ей если есть еще же за здесь и из или им их к как какая какой когда кто ли либо между меня "
    "мне много может можно мой моя мы на над надо нас не него нее нет ни них но ну о об он она они оно от очень по "
    "под после потом потому при привет про пожалуйста раз с сам себе себя со спасибо так также там те тебе тебя "
    "тем то того тоже той только том ты у уже хорошо чем что чтобы чуть эта эти это этого этой этом этот эту я";

}  // namespace

bool is_stop_word(std::string_view word) {
    static const std::vector<std::string_view> kSorted = [] {
        std::vector<std::string_view> words;
        for (std::string_view list : {kEnglish, kRussian}) {
            while (!list.empty()) {
                const std::size_t space = std::min(list.find(' '), list.size());
                words.push_back(list.substr(0, space));
                list.remove_prefix(std::min(space + 1, list.size()));
            }
        }
        std::sort(words.begin(), words.end());
        return words;
    }();
    return std::binary_search(kSorted.begin(), kSorted.end(), word);
}

}  // namespace aimi::memory
