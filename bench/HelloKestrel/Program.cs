// Hello-world ceiling for the KV load benchmark (bench/run.sh). It does the least an HTTP
// endpoint can do in ASP.NET Core on this machine: route a request and write a short body.
// Praetor's KV figures are quoted as a fraction of this one, measured in the same run.
// Usage: HelloKestrel --urls http://127.0.0.1:18600
var builder = WebApplication.CreateSlimBuilder(args);

// Per-request Information logs would make this a logging benchmark; keep only warnings.
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();

app.MapGet("/", () => "Hello, World!");

app.Run();
