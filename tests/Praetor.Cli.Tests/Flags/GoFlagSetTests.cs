using Praetor.Agent;
using Praetor.Cli.Flags;

namespace Praetor.Cli.Tests.Flags;

public sealed class GoFlagSetTests
{
    private static (GoFlagSet Set, GoFlag<bool> Recurse, GoFlag<string> Token, GoFlag<ulong> Index, GoFlag<int> Port) NewSet()
    {
        var set = new GoFlagSet("test");
        return (set, set.Bool("recurse", false, "r"), set.String("token", "def", "t"), set.Uint64("modify-index", 0, "m"), set.Int("port", 8500, "p"));
    }

    [Theory]
    [InlineData("-token=abc")]
    [InlineData("--token=abc")]
    [InlineData("-token", "abc")]
    [InlineData("--token", "abc")]
    public void Single_and_double_dash_with_equals_or_separate_value_are_the_same(params string[] args)
    {
        var (set, _, token, _, _) = NewSet();
        Assert.True(set.TryParse(args, out var error), error);
        Assert.Equal("abc", token.Value);
        Assert.True(token.IsSet);
        Assert.Empty(set.Args);
    }

    [Fact]
    public void Bool_flag_alone_sets_true_and_does_not_consume_the_next_word()
    {
        var (set, recurse, _, _, _) = NewSet();
        Assert.True(set.TryParse(["-recurse", "false"], out var error), error);
        Assert.True(recurse.Value);
        Assert.Equal(["false"], set.Args);
    }

    [Theory]
    [InlineData("-recurse=false", false)]
    [InlineData("-recurse=true", true)]
    [InlineData("-recurse=1", true)]
    [InlineData("-recurse=0", false)]
    [InlineData("-recurse=t", true)]
    [InlineData("-recurse=F", false)]
    [InlineData("-recurse=TRUE", true)]
    [InlineData("-recurse=False", false)]
    [InlineData("--recurse=true", true)]
    public void Bool_flag_takes_a_value_only_after_equals(string argument, bool expected)
    {
        var (set, recurse, _, _, _) = NewSet();
        Assert.True(set.TryParse([argument], out var error), error);
        Assert.Equal(expected, recurse.Value);
        Assert.True(recurse.IsSet);
    }

    [Theory]
    [InlineData("-recurse=yes", "invalid boolean value \"yes\" for -recurse: parse error")]
    [InlineData("-recurse=", "invalid boolean value \"\" for -recurse: parse error")]
    [InlineData("-recurse=tRUE", "invalid boolean value \"tRUE\" for -recurse: parse error")]
    public void Bool_flag_with_a_bad_value_is_an_error_naming_the_flag(string argument, string expected)
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse([argument], out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Parsing_stops_at_the_first_non_flag_argument()
    {
        var (set, recurse, token, _, _) = NewSet();
        Assert.True(set.TryParse(["-token", "x", "key", "-recurse", "--", "-y"], out var error), error);
        Assert.Equal("x", token.Value);
        Assert.False(recurse.Value);
        Assert.False(recurse.IsSet);
        Assert.Equal(["key", "-recurse", "--", "-y"], set.Args);
    }

    [Fact]
    public void Double_dash_stops_parsing_and_is_dropped()
    {
        var (set, recurse, _, _, _) = NewSet();
        Assert.True(set.TryParse(["--", "-recurse"], out var error), error);
        Assert.False(recurse.Value);
        Assert.Equal(["-recurse"], set.Args);
    }

    [Fact]
    public void A_lone_dash_is_an_argument_and_stops_parsing()
    {
        var (set, recurse, _, _, _) = NewSet();
        Assert.True(set.TryParse(["-", "-recurse"], out var error), error);
        Assert.False(recurse.Value);
        Assert.Equal(["-", "-recurse"], set.Args);
    }

    [Fact]
    public void Empty_string_argument_stops_parsing()
    {
        var (set, _, _, _, _) = NewSet();
        Assert.True(set.TryParse(["", "-recurse"], out var error), error);
        Assert.Equal(["", "-recurse"], set.Args);
    }

    [Fact]
    public void Unknown_flag_is_an_error_in_gos_words()
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse(["-x"], out var error));
        Assert.Equal("flag provided but not defined: -x", error);
        Assert.False(set.HelpRequested);
    }

    [Fact]
    public void Unknown_double_dash_flag_is_reported_with_a_single_dash_and_without_its_value()
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse(["--nope=1"], out var error));
        Assert.Equal("flag provided but not defined: -nope", error);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-help")]
    [InlineData("--help")]
    [InlineData("--h")]
    public void Undefined_help_flags_request_help(string argument)
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse([argument], out var error));
        Assert.Equal(GoFlagSet.HelpRequestedError, error);
        Assert.True(set.HelpRequested);
    }

    [Fact]
    public void A_defined_h_flag_is_an_ordinary_flag()
    {
        var set = new GoFlagSet("test");
        var h = set.Bool("h", false, "host");
        Assert.True(set.TryParse(["-h"], out var error), error);
        Assert.True(h.Value);
        Assert.False(set.HelpRequested);
    }

    [Theory]
    [InlineData("---token")]
    [InlineData("-=x")]
    [InlineData("--=x")]
    public void Malformed_flags_are_bad_flag_syntax(string argument)
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse([argument], out var error));
        Assert.Equal($"bad flag syntax: {argument}", error);
    }

    [Fact]
    public void Non_bool_flag_at_the_end_needs_an_argument()
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse(["-token"], out var error));
        Assert.Equal("flag needs an argument: -token", error);
    }

    [Fact]
    public void Non_bool_flag_takes_the_next_argument_even_when_it_looks_like_a_flag()
    {
        var (set, recurse, token, _, _) = NewSet();
        Assert.True(set.TryParse(["-token", "-recurse"], out var error), error);
        Assert.Equal("-recurse", token.Value);
        Assert.False(recurse.IsSet);
    }

    [Fact]
    public void Equals_sign_may_give_an_empty_value_and_only_the_first_one_splits()
    {
        var (set, _, token, _, _) = NewSet();
        Assert.True(set.TryParse(["-token="], out var error), error);
        Assert.Equal(string.Empty, token.Value);
        Assert.True(token.IsSet);
        Assert.True(set.TryParse(["-token=a=b"], out error), error);
        Assert.Equal("a=b", token.Value);
    }

    [Fact]
    public void Later_occurrences_override_earlier_ones()
    {
        var (set, _, token, _, _) = NewSet();
        Assert.True(set.TryParse(["-token=a", "-token", "b"], out var error), error);
        Assert.Equal("b", token.Value);
    }

    [Theory]
    [InlineData("42", 42UL)]
    [InlineData("0x2A", 42UL)]
    [InlineData("0X2a", 42UL)]
    [InlineData("052", 42UL)]
    [InlineData("0o52", 42UL)]
    [InlineData("0b101010", 42UL)]
    [InlineData("1_000", 1000UL)]
    [InlineData("0x_2A", 42UL)]
    [InlineData("0", 0UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Uint64_flags_read_gos_integer_syntax(string text, ulong expected)
    {
        var (set, _, _, index, _) = NewSet();
        Assert.True(set.TryParse(["-modify-index", text], out var error), error);
        Assert.Equal(expected, index.Value);
    }

    [Theory]
    [InlineData("abc", "parse error")]
    [InlineData("-1", "parse error")]
    [InlineData("+1", "parse error")]
    [InlineData("", "parse error")]
    [InlineData("1__0", "parse error")]
    [InlineData("_1", "parse error")]
    [InlineData("1_", "parse error")]
    [InlineData("0x", "parse error")]
    [InlineData("09", "parse error")]
    [InlineData("1.5", "parse error")]
    [InlineData("18446744073709551616", "value out of range")]
    public void Bad_uint64_values_name_the_flag_and_the_reason(string text, string reason)
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse([$"-modify-index={text}"], out var error));
        Assert.Equal($"invalid value {GoStrconv.Quote(text)} for flag -modify-index: {reason}", error);
    }

    [Theory]
    [InlineData("-1", -1)]
    [InlineData("+7", 7)]
    [InlineData("-0x10", -16)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    public void Int_flags_accept_signs_and_base_prefixes(string text, int expected)
    {
        var (set, _, _, _, port) = NewSet();
        Assert.True(set.TryParse(["-port", text], out var error), error);
        Assert.Equal(expected, port.Value);
    }

    [Theory]
    [InlineData("2147483648", "value out of range")]
    [InlineData("-2147483649", "value out of range")]
    [InlineData("eighty", "parse error")]
    [InlineData("-", "parse error")]
    public void Bad_int_values_name_the_flag_and_the_reason(string text, string reason)
    {
        var (set, _, _, _, _) = NewSet();
        Assert.False(set.TryParse(["-port", text], out var error));
        Assert.Equal($"invalid value \"{text}\" for flag -port: {reason}", error);
    }

    [Fact]
    public void String_list_flag_appends_every_occurrence()
    {
        var set = new GoFlagSet("agent");
        var join = set.StringList("retry-join", "join");
        Assert.Empty(join.Value);
        Assert.False(join.IsSet);
        Assert.True(set.TryParse(["-retry-join=a", "-retry-join", "b", "--retry-join=c"], out var error), error);
        Assert.Equal(["a", "b", "c"], join.Value);
        Assert.Equal("a,b,c", join.ValueText);
        Assert.True(join.IsSet);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("0", 0)]
    [InlineData("-2s", -2_000)]
    public void Duration_flags_read_gos_duration_syntax(string text, long milliseconds)
    {
        var set = new GoFlagSet("agent");
        var interval = set.Duration("retry-interval", TimeSpan.FromSeconds(30), "interval");
        Assert.True(set.TryParse([$"-retry-interval={text}"], out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), interval.Value);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("1x")]
    [InlineData("s")]
    [InlineData("")]
    public void Bad_durations_are_parse_errors(string text)
    {
        var set = new GoFlagSet("agent");
        set.Duration("retry-interval", TimeSpan.Zero, "interval");
        Assert.False(set.TryParse([$"-retry-interval={text}"], out var error));
        Assert.Equal($"invalid value \"{text}\" for flag -retry-interval: parse error", error);
    }

    [Fact]
    public void IsSet_tells_explicit_values_from_defaults()
    {
        var (set, recurse, token, index, port) = NewSet();
        Assert.True(set.TryParse(["-port=8500", "-recurse=false"], out var error), error);
        Assert.True(set.IsSet("port"));
        Assert.True(port.IsSet);
        Assert.True(recurse.IsSet);
        Assert.False(token.IsSet);
        Assert.False(index.IsSet);
        Assert.False(set.IsSet("token"));
        Assert.False(set.IsSet("no-such-flag"));
        Assert.Equal("def", token.Value);
    }

    [Fact]
    public void TrySet_sets_by_name_and_marks_the_flag_set()
    {
        var (set, _, _, index, _) = NewSet();
        Assert.True(set.TrySet("modify-index", "7", out var error), error);
        Assert.Equal(7UL, index.Value);
        Assert.True(index.IsSet);
        Assert.False(set.TrySet("modify-index", "x", out error));
        Assert.Equal("parse error", error);
        Assert.False(set.TrySet("missing", "x", out error));
        Assert.Equal("no such flag -missing", error);
    }

    [Fact]
    public void Defining_a_flag_twice_is_a_programming_error()
    {
        var set = new GoFlagSet("test");
        set.Bool("x", false, string.Empty);
        Assert.Throws<InvalidOperationException>(() => set.String("x", string.Empty, string.Empty));
    }

    [Fact]
    public void Args_are_empty_when_everything_was_a_flag_and_everything_when_nothing_was()
    {
        var (set, _, _, _, _) = NewSet();
        Assert.True(set.TryParse([], out var error), error);
        Assert.Empty(set.Args);
        Assert.True(set.Parsed);
        Assert.True(set.TryParse(["a", "b"], out error), error);
        Assert.Equal(["a", "b"], set.Args);
    }

    [Fact]
    public void Lookup_finds_defined_flags_only()
    {
        var (set, _, token, _, _) = NewSet();
        Assert.Same(token, set.Lookup("token"));
        Assert.Null(set.Lookup("nope"));
    }

    [Fact]
    public void WriteDefaults_uses_consuls_layout_sorted_by_name()
    {
        var set = new GoFlagSet("test");
        set.String("http-addr", "", "The `address` and port of the agent.");
        set.Bool("stale", false, "Permit any server to respond.");
        set.Uint64("flags", 0, "Unsigned integer value.");
        set.String("session", "", "A session.");
        var output = new StringWriter();
        set.WriteDefaults(output);
        Assert.Equal(
            "  -flags=<uint>\n     Unsigned integer value. (0)\n\n" +
            "  -http-addr=<address>\n     The address and port of the agent. ()\n\n" +
            "  -session=<string>\n     A session. ()\n\n" +
            "  -stale\n     Permit any server to respond. (false)\n\n",
            output.ToString());
    }

    [Fact]
    public void WriteDefaults_wraps_long_usage_at_72_columns()
    {
        var set = new GoFlagSet("test");
        set.Bool("recurse", false, string.Join(' ', Enumerable.Repeat("word", 30)));
        var output = new StringWriter();
        set.WriteDefaults(output);
        foreach (var line in output.ToString().Split('\n'))
        {
            Assert.True(line.Length <= 72, line);
        }

        Assert.Contains("     word word", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_flags_can_be_registered()
    {
        var set = new GoFlagSet("agent");
        var meta = set.Add(new GoFlag<Dictionary<string, string>>(
            "node-meta",
            [],
            "key:value",
            "value",
            (string text, Dictionary<string, string> current, out Dictionary<string, string> value, out string? error) =>
            {
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                value = new Dictionary<string, string>(current);
                if (colon < 0)
                {
                    error = "missing colon";
                    return false;
                }

                value[text[..colon]] = text[(colon + 1)..];
                error = null;
                return true;
            },
            value => string.Join(',', value.Keys)));
        Assert.True(set.TryParse(["-node-meta", "rack:a1", "-node-meta=zone:z"], out var error), error);
        Assert.Equal("a1", meta.Value["rack"]);
        Assert.Equal("z", meta.Value["zone"]);
        Assert.False(set.TryParse(["-node-meta", "bad"], out error));
        Assert.Equal("invalid value \"bad\" for flag -node-meta: missing colon", error);
    }
}
