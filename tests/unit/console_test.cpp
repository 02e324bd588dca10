// The console's files as compiled into the gateway, and the development sign-in's guard.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <stdexcept>
#include <string>

#include "gateway/console_assets.hpp"
#include "gateway/dev_sign_in.hpp"

namespace {

using aimi::gateway::dev_sign_in_enabled;
using aimi::gateway::is_loopback_address;
namespace console = aimi::gateway::console;

TEST(DevSignIn, IsOffUnlessAskedForAndOnlyOnLoopback) {
    EXPECT_FALSE(dev_sign_in_enabled("", "0.0.0.0"));
    EXPECT_FALSE(dev_sign_in_enabled("0", "0.0.0.0"));
    EXPECT_TRUE(dev_sign_in_enabled("1", "127.0.0.1"));
    EXPECT_TRUE(dev_sign_in_enabled("1", "127.10.0.3"));
    EXPECT_TRUE(dev_sign_in_enabled("1", "::1"));
    EXPECT_TRUE(dev_sign_in_enabled("1", "localhost"));
    for (const auto* address : {"0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com", "", "128.0.0.1"})
        EXPECT_THROW(dev_sign_in_enabled("1", address), std::invalid_argument) << address;
    EXPECT_THROW(dev_sign_in_enabled("true", "127.0.0.1"), std::invalid_argument);
    EXPECT_THROW(dev_sign_in_enabled("yes", "127.0.0.1"), std::invalid_argument);
}

TEST(DevSignIn, LoopbackAddresses) {
    EXPECT_TRUE(is_loopback_address("127.0.0.1"));
    EXPECT_TRUE(is_loopback_address("::1"));
    EXPECT_FALSE(is_loopback_address("::ffff:10.0.0.1"));
    EXPECT_FALSE(is_loopback_address("not an address"));
}

// The Content-Security-Policy forbids inline script and style: the page must not need them.
TEST(ConsoleAssets, ThePageHasNoInlineScriptStyleOrHandlers) {
    const auto page = console::find_asset("index.html");
    ASSERT_TRUE(page);
    const std::string html(page->body);
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(<script(?![^>]*\bsrc=)[^>]*>)"))) << "an inline <script>";
    EXPECT_EQ(html.find("<style"), std::string::npos);
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\sstyle=)")));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)", std::regex::icase))) << "an inline handler";
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(javascript:)", std::regex::icase)));
    EXPECT_NE(html.find(R"(<meta name="aimi-dev-sign-in" content="off">)"), std::string::npos)
        << "the handler switches this marker on";
}

TEST(ConsoleAssets, EveryReferencedFileIsServedWithItsType) {
    std::set<std::string> names;
    for (const auto& name : console::asset_names()) {
        names.insert(name);
        EXPECT_TRUE(console::content_type_of(name)) << name << " would not be served";
        EXPECT_TRUE(console::find_asset(name)) << name;
    }
    // Page references (/console/x) and module imports ('./x.js').
    const std::regex reference(R"(/console/([a-z_.-]+)|from '\./([a-z_.-]+)')");
    for (const auto& name : names) {
        const std::string body(console::find_asset(name)->body);
        for (std::sregex_iterator it(body.begin(), body.end(), reference), end; it != end; ++it) {
            const auto target = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
            EXPECT_TRUE(names.contains(target)) << name << " refers to " << target << ", which is not served";
        }
    }
    EXPECT_FALSE(console::find_asset("../CMakeLists.txt"));
    EXPECT_FALSE(console::find_asset("console/index.html"));
    EXPECT_FALSE(console::find_asset(""));
}

TEST(ConsoleAssets, PolicyAllowsOnlyTheConsolesOwnFiles) {
    std::string csp;
    for (const auto& [name, value] : console::security_headers())
        if (name == "Content-Security-Policy") csp = value;
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe"), std::string::npos);
}

}  // namespace
