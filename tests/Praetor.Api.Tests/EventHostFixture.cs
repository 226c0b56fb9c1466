using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Praetor.Agent.Events;
using Praetor.State.Catalog;

namespace Praetor.Api.Tests;

/// <summary>
/// The event routes on their own Kestrel host over a fake LAN pool, wired as the agent wires them:
/// the pool's delivered events go to an <see cref="EventReceiver"/> for node <c>web-1</c> with one
/// local service <c>api</c> tagged <c>v1</c>. One per test.
/// </summary>
public abstract class EventHostFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private Task? _delivery;

    internal FakeSerfPool Pool { get; } = new();

    internal EventStore Store { get; } = new();

    protected HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var receiver = new EventReceiver(Store, () => "web-1", () => [new ServiceInstance { Node = "web-1", Id = "api", Service = "api", Tags = ["v1"] }]);
        var endpoint = new EventEndpoint(() => Pool, Store);
        _delivery = Task.Run(async () =>
        {
            await foreach (var serfEvent in Pool.Events.ReadAllAsync())
            {
                receiver.Deliver(serfEvent);
            }
        });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Use(Routes.HandleErrorsAsync);
        EventRoutes.Map(_app, endpoint);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Pool.DisposeAsync();
        if (_delivery is not null)
        {
            await _delivery;
        }
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Waits until the store holds <paramref name="count"/> events (delivery is asynchronous, as from a real pool).</summary>
    protected async Task WaitForStoredAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Store.View().Events.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Store.View().Events.Count} events stored, waiting for {count}");
            await Task.Delay(10);
        }
    }
}
