using System.Net;
using System.Text;
using Praetor.Agent.Definitions;
using Praetor.State.Catalog;

namespace Praetor.Agent.Checks;

/// <summary>
/// Consul's HTTP check (CheckHTTP): sends a request every interval; 2xx is passing, 429 (Too
/// Many Requests) warning, anything else or no answer critical. The output is Consul's
/// <c>HTTP &lt;METHOD&gt; &lt;url&gt;: &lt;code&gt; &lt;reason&gt; Output: &lt;body tail&gt;</c>.
/// </summary>
public sealed class HttpCheckRunner : IntervalCheckRunner
{
    /// <summary>What Consul sends, so services that recognise health checks by agent keep doing so.</summary>
    public const string UserAgent = "Consul Health Check";

    private const string DefaultAccept = "text/plain, text/*, */*";

    private readonly string _url;
    private readonly Uri? _uri;
    private readonly string? _invalidUrlReason;
    private readonly HttpMethod _method;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _header;
    private readonly byte[] _body;
    private readonly int _outputMaxSizeBytes;
    private readonly HttpClient _client;

    public HttpCheckRunner(string checkId, CheckDefinition definition, ICheckStatusSink sink, TimeProvider time)
        : base(checkId, (definition ?? throw new ArgumentNullException(nameof(definition))).Interval, definition.Timeout, sink, time)
    {
        _url = definition.Http;
        if (!Uri.TryCreate(_url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // Reported on every run rather than thrown, as Consul does for a URL it cannot request.
            _invalidUrlReason = $"invalid URL \"{_url}\": an absolute http or https URL is needed";
        }
        else
        {
            _uri = uri;
        }
        _method = new HttpMethod(definition.Method.Length > 0 ? definition.Method.ToUpperInvariant() : "GET");
        _header = definition.Header;
        _body = Encoding.UTF8.GetBytes(definition.Body);
        _outputMaxSizeBytes = definition.OutputMaxSizeBytes > 0 ? definition.OutputMaxSizeBytes : CheckOutput.MaxSizeBytes;

        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            UseProxy = false,
            // Each run opens a fresh connection, as Consul disables keep-alives: a check must
            // test that the service accepts connections, not reuse one it accepted long ago.
            PooledConnectionLifetime = TimeSpan.Zero,
        };
        if (definition.TlsSkipVerify)
        {
#pragma warning disable CA5359 // The user asked for it (tls_skip_verify), typically for self-signed service certificates.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        // The per-run timeout is ours (a CancellationTokenSource on the check's TimeProvider).
        _client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    protected override async Task<CheckResult> RunOnceAsync(CancellationToken stopping)
    {
        if (_uri is null)
        {
            return new CheckResult(HealthStatus.Critical, _invalidUrlReason!);
        }

        using var request = BuildRequest(_uri);
        using var runTimeout = new CancellationTokenSource(Timeout, Time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, runTimeout.Token);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, run.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new CheckResult(HealthStatus.Critical, $"{RequestDescription()}: timed out ({GoDuration.Format(Timeout)}) awaiting response headers");
        }
        catch (HttpRequestException e)
        {
            return new CheckResult(HealthStatus.Critical, $"{RequestDescription()}: {e.Message}");
        }

        using (response)
        {
            var body = new OutputTailBuffer(_outputMaxSizeBytes);
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(run.Token);
                var buffer = new byte[4096];
                int read;
                while ((read = await stream.ReadAsync(buffer, run.Token)) > 0)
                {
                    body.Write(buffer.AsSpan(0, read));
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !stopping.IsCancellationRequested))
            {
                // As Consul: a body cut short still counts by its status code, with what arrived.
            }

            var code = (int)response.StatusCode;
            var status = code is >= 200 and <= 299 ? HealthStatus.Passing
                : response.StatusCode == HttpStatusCode.TooManyRequests ? HealthStatus.Warning
                : HealthStatus.Critical;
            return new CheckResult(status, $"HTTP {_method.Method} {_url}: {code} {response.ReasonPhrase} Output: {body.GetText()}");
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        _client.Dispose();
    }

    private HttpRequestMessage BuildRequest(Uri uri)
    {
        var request = new HttpRequestMessage(_method, uri);
        if (_body.Length > 0)
        {
            request.Content = new ByteArrayContent(_body);
        }
        foreach (var (name, values) in _header)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                // Go sends the Host header from Request.Host, and Consul copies it there.
                if (values.Count > 0)
                {
                    request.Headers.Host = values[0];
                }
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, values))
            {
                // Content-Type and friends belong to the content in .NET; Go keeps them with the rest.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }
        if (!request.Headers.Contains("User-Agent"))
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        }
        if (!request.Headers.Contains("Accept"))
        {
            request.Headers.TryAddWithoutValidation("Accept", DefaultAccept);
        }
        request.Headers.ConnectionClose = true;
        return request;
    }

    /// <summary>Go's url.Error prefix (<c>Get "http://…"</c>), which Consul's output carries for a failed request.</summary>
    private string RequestDescription()
    {
        var method = _method.Method;
        return $"{method[0]}{method[1..].ToLowerInvariant()} \"{_url}\"";
    }
}
