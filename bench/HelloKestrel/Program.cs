// Hello-world ceiling for the KV load benchmark (bench/run.sh). It does the least an HTTP
// endpoint can do in ASP.NET Core on this machine: route a request and write a short body.
// Praetor's KV figures are quoted as a fraction of this one, measured in the same run.
// Usage: HelloKestrel --urls http://127.0.0.1:18600
var builder = WebApplication.CreateSlimBuilder(args);

// Per-request Information logs would make this a logging benchmark; keep only warnings.
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();

// A pre-encoded body with a Content-Length, written once: what Praetor's own handlers do, so the
// ceiling is not lowered by chunked encoding or per-request string encoding.
var body = "Hello, World!"u8.ToArray();
app.MapGet("/", context =>
{
    context.Response.ContentType = "text/plain";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Run();
