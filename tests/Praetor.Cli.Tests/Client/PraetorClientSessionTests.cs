using Praetor.Client;

namespace Praetor.Cli.Tests.Client;

public sealed class PraetorClientSessionTests : CliAgentFixture
{
    [Fact]
    public async Task A_created_session_renews_until_destroyed_then_renew_answers_false()
    {
        var id = await Client.Session.CreateAsync(new SessionRequest { Name = "worker", Ttl = "15s", Behavior = "delete" });

        Assert.True(Guid.TryParse(id, out _), id);
        Assert.True(await Client.Session.RenewAsync(id));
        Assert.True(await Client.Kv.AcquireAsync("k", "v"u8.ToArray(), id));
        await Client.Session.DestroyAsync(id);
        Assert.False(await Client.Session.RenewAsync(id));
        Assert.Null((await Client.Kv.GetAsync("k")).Response);
    }

    [Fact]
    public async Task A_refused_create_is_the_agents_error()
    {
        var error = await Assert.ThrowsAsync<ApiStatusException>(() => Client.Session.CreateAsync(new SessionRequest { Behavior = "keep" }));

        Assert.Contains("Invalid Behavior setting 'keep'", error.Message, StringComparison.Ordinal);
    }
}
