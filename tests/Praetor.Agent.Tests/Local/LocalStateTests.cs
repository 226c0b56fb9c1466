using Praetor.Agent.Local;
using Praetor.State.Catalog;

namespace Praetor.Agent.Tests.Local;

public sealed class LocalStateTests
{
    private static HealthCheck Check(string id, string status = HealthStatus.Critical) => new() { Node = "n1", CheckId = id, Status = status };

    [Fact]
    public void A_check_removed_while_its_registration_is_written_stays_out_of_sync_as_deleted()
    {
        var local = new LocalState("n1");
        local.AddCheck(Check("c1"));
        var (_, checks) = local.OutOfSync();
        var written = Assert.Single(checks);

        local.RemoveCheck("c1");
        local.MarkCheckSynced(written.Check, written.Deleted);

        var (_, pending) = local.OutOfSync();
        var removal = Assert.Single(pending);
        Assert.True(removal.Deleted);
    }

    [Fact]
    public void A_synced_removal_is_forgotten()
    {
        var local = new LocalState("n1");
        local.AddCheck(Check("c1"));
        local.RemoveCheck("c1");
        var (_, checks) = local.OutOfSync();
        var removal = Assert.Single(checks);

        local.MarkCheckSynced(removal.Check, removal.Deleted);

        Assert.Empty(local.OutOfSync().Checks);
        Assert.Null(local.Check("c1"));
    }

    [Fact]
    public void A_check_changed_while_its_previous_state_is_written_stays_out_of_sync()
    {
        var local = new LocalState("n1");
        local.AddCheck(Check("c1"));
        var written = Assert.Single(local.OutOfSync().Checks);

        Assert.True(local.UpdateCheck("c1", HealthStatus.Passing, "ok"));
        local.MarkCheckSynced(written.Check, written.Deleted);

        var pending = Assert.Single(local.OutOfSync().Checks);
        Assert.Equal(HealthStatus.Passing, pending.Check.Status);
    }

    [Fact]
    public void An_unchanged_result_does_not_put_a_synced_check_out_of_sync()
    {
        var local = new LocalState("n1");
        local.AddCheck(Check("c1", HealthStatus.Passing));
        var written = Assert.Single(local.OutOfSync().Checks);
        local.MarkCheckSynced(written.Check, written.Deleted);

        Assert.True(local.UpdateCheck("c1", HealthStatus.Passing, ""));

        Assert.Empty(local.OutOfSync().Checks);
    }

    [Fact]
    public void A_service_check_needs_its_service()
    {
        var local = new LocalState("n1");
        Assert.Throws<ArgumentException>(() => local.AddCheck(Check("c1") with { ServiceId = "web" }));
    }
}
