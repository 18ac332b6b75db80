#include "base/color.h"

#include <unistd.h>

#include <cstdlib>

namespace vfiogen {

std::optional<ColorMode> parse_color_mode(std::string_view text) {
    if (text == "auto") return ColorMode::Auto;
    if (text == "always") return ColorMode::Always;
    if (text == "never") return ColorMode::Never;
    return std::nullopt;
}

bool use_color(ColorMode mode, int fd) {
    if (mode != ColorMode::Auto) return mode == ColorMode::Always;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb") return false;
    return ::isatty(fd) == 1;
}

std::string paint(std::string_view text, Tone tone, bool color) {
    if (!color) return std::string(text);
    const char* start = tone == Tone::Error     ? "\033[1;31m"   // bold red
                        : tone == Tone::Warning ? "\033[1;33m"   // bold yellow
                        : tone == Tone::Note    ? "\033[1;36m"   // bold cyan
                                                : "\033[1;32m";  // bold green
    return start + std::string(text) + "\033[0m";
}

}  // namespace vfiogen
