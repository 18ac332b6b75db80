// Colour in terminal output, as git and ls decide it: --color auto|always|never, and the
// NO_COLOR convention (no-color.org: set and not empty means no colour) for auto.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfiogen {

enum class ColorMode { Auto, Always, Never };

// "auto", "always", "never"; nothing for anything else.
std::optional<ColorMode> parse_color_mode(std::string_view text);

// Whether output to `fd` gets colour: Always and Never say so; Auto when `fd` is a terminal,
// NO_COLOR is unset or empty and TERM is not "dumb".
bool use_color(ColorMode mode, int fd);

// SGR (ECMA-48) colours for the words that carry a severity.
enum class Tone { Error, Warning, Note, Pass };

// `text` wrapped in the tone's SGR sequence and a reset when `color`, else `text` unchanged.
std::string paint(std::string_view text, Tone tone, bool color);

}  // namespace vfiogen
