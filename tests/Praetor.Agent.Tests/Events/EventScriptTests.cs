using Praetor.Agent.Events;

namespace Praetor.Agent.Tests.Events;

public sealed class EventScriptTests
{
    [Fact]
    public void A_spec_without_a_filter_runs_for_every_event()
    {
        var script = Assert.Single(EventScript.Parse("/bin/handler.sh"));
        Assert.Equal(new EventScript("*", "", "/bin/handler.sh"), script);
        Assert.True(script.Matches("member-join", null));
        Assert.True(script.Matches("user", "deploy"));
    }

    [Fact]
    public void A_spec_with_several_types_gives_one_script_each()
    {
        var scripts = EventScript.Parse("member-failed,member-leave,user:deploy=/x.sh arg=1");
        Assert.Equal(
            [new("member-failed", "", "/x.sh arg=1"), new("member-leave", "", "/x.sh arg=1"), new EventScript("user", "deploy", "/x.sh arg=1")],
            scripts);
    }

    [Fact]
    public void Named_user_and_query_filters_match_only_that_name()
    {
        var deploy = Assert.Single(EventScript.Parse("user:deploy=x"));
        Assert.True(deploy.Matches("user", "deploy"));
        Assert.False(deploy.Matches("user", "restart"));
        Assert.False(deploy.Matches("member-join", null));
        var anyUser = Assert.Single(EventScript.Parse("user=x"));
        Assert.True(anyUser.Matches("user", "restart"));
        var query = Assert.Single(EventScript.Parse("query:load=x"));
        Assert.Equal(new EventScript("query", "load", "x"), query);
        Assert.True(query.Matches("query", "load"));
        Assert.False(query.Matches("query", "other"));
    }

    [Fact]
    public void Member_filters_match_their_type_only()
    {
        var join = Assert.Single(EventScript.Parse("member-join=x"));
        Assert.True(join.Matches("member-join", null));
        Assert.False(join.Matches("member-leave", null));
        Assert.False(join.Matches("user", "member-join"));
    }

    [Fact]
    public void Parse_all_refuses_unknown_types_with_serfs_message()
    {
        var scripts = EventScript.ParseAll(["member-join,bogus=/a.sh", "user:x=/b.sh", "member-joined=/c.sh"], out var problems);
        Assert.Equal([new("member-join", "", "/a.sh"), new EventScript("user", "x", "/b.sh")], scripts);
        Assert.Equal(["Invalid event script: Event 'bogus' invoking '/a.sh'", "Invalid event script: Event 'member-joined' invoking '/c.sh'"], problems);
    }

    [Fact]
    public void Descriptions_are_serfs() =>
        Assert.Equal("Event 'user:deploy' invoking 'x'", new EventScript("user", "deploy", "x").ToString());
}
