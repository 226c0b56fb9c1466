using Praetor.Agent.Events;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Events;

public sealed class UserEventFilterTests
{
    private static readonly ServiceInstance[] Services =
    [
        new() { Node = "web-1", Id = "api-1", Service = "api", Tags = ["v1", "primary"] },
        new() { Node = "web-1", Id = "cache", Service = "redis", Tags = [] },
    ];

    [Theory]
    [InlineData("", "", "", "", "User event missing name")]
    [InlineData("e", "", "", "v1", "Cannot provide tag filter without service filter")]
    [InlineData("e", "(", "", "", "Invalid node filter: ")]
    [InlineData("e", "", "[", "", "Invalid service filter: ")]
    [InlineData("e", "", "api", "*", "Invalid tag filter: ")]
    public void Validate_refuses_with_consuls_messages(string name, string node, string service, string tag, string message)
    {
        var error = UserEventFilter.Validate(new UserEvent { Name = name, NodeFilter = node, ServiceFilter = service, TagFilter = tag });
        Assert.NotNull(error);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_accepts_a_name_with_valid_filters() =>
        Assert.Null(UserEventFilter.Validate(new UserEvent { Name = "deploy", NodeFilter = "^web-[0-9]+$", ServiceFilter = "api", TagFilter = "v1" }));

    [Theory]
    [InlineData("", "", "", true)]
    [InlineData("web", "", "", true)] // unanchored, as Go's MatchString
    [InlineData("^web-1$", "", "", true)]
    [InlineData("^db", "", "", false)]
    [InlineData("", "api", "", true)]
    [InlineData("", "^cache$", "", true)] // by service ID
    [InlineData("", "^redis$", "", true)] // by service name
    [InlineData("", "mysql", "", false)]
    [InlineData("", "api", "^primary$", true)]
    [InlineData("", "api", "v2", false)]
    [InlineData("", "redis", "v1", false)] // the tag must be on a matching service
    [InlineData("web", "api", "v1", true)]
    [InlineData("db", "api", "v1", false)]
    [InlineData("(", "", "", false)] // a filter that does not compile matches nothing
    public void Matches_applies_node_service_and_tag_filters(string node, string service, string tag, bool matches) =>
        Assert.Equal(matches, UserEventFilter.Matches(new UserEvent { Name = "e", NodeFilter = node, ServiceFilter = service, TagFilter = tag }, "web-1", Services));
}
