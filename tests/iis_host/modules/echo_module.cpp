/*
 * echo_module.cpp -- tests/examples/echo_module.rs in C++, answering byte for byte as the
 * Rust module does, with by hand what the Rust framework's `spawn` and `async fn` write: a
 * per-request module holding a state machine (reading, writing, flushing) over IIS's
 * asynchronous calls. At RQ_EXECUTE_REQUEST_HANDLER, `POST /echo` reads the request body 16
 * KiB at a time (IHttpRequest::ReadEntityBody, fAsync) and writes each piece back
 * (IHttpResponse::WriteEntityChunks, fAsync, more data to come), then flushes (Flush, fAsync,
 * no more data); `/hello` (any method) writes "Hello World!\n" and flushes. Both answer 200
 * OK, text/plain, and finish the request. An operation IIS completes at once is followed by
 * the next in the same call; one it will complete later makes the notification answer
 * RQ_NOTIFICATION_PENDING, and the machine goes on in OnAsyncCompletion with the completion's
 * bytes and status. A failed operation is a 500 with a trace line, as the Rust framework's
 * `fail_with` makes it. Other requests go on to the next module.
 */
#include "../host/rt.h"

namespace {

const DWORD kBufferSize = 16 * 1024;
const HRESULT kEndOfBody = HRESULT_FROM_WIN32(ERROR_HANDLE_EOF);
const char kHello[] = "Hello World!\n";

bool is(PCSTR text, size_t len, const char *literal)
{
    return text && len == rt::length(literal) && rt::equal_n(text, literal, len);
}

/* The framework's `fail_with` for an error of IIS: the body cleared, a 500, the error in the
   request's trace. */
REQUEST_NOTIFICATION_STATUS fail(IHttpContext *context, HRESULT error)
{
    IHttpResponse *response = context->GetResponse();
    response->Clear();
    response->SetStatus(500, "Internal Server Error", 0, S_OK, 0, FALSE);
    IHttpTraceContext *trace = context->GetTraceContext();
    if (trace) trace->QuickTrace(L"httpserv: a request failed", 0, error, 2);
    return RQ_NOTIFICATION_FINISH_REQUEST;
}

class EchoModule : public CHttpModule
{
public:
    REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext *context,
                                                        IHttpEventProvider *) override
    {
        PCSTR path = 0;
        DWORD path_len = 0;
        if (FAILED(context->GetServerVariable("URL", &path, &path_len))) path_len = 0;
        IHttpRequest *request = context->GetRequest();
        if (is(path, path_len, "/echo") && rt::equal(request->GetHttpMethod(), "POST")) {
            echo_ = true;
        } else if (is(path, path_len, "/hello")) {
            echo_ = false;
        } else {
            return RQ_NOTIFICATION_CONTINUE;
        }
        IHttpResponse *response = context->GetResponse();
        HRESULT hr = response->SetStatus(200, "OK", 0, S_OK, 0, FALSE);
        if (SUCCEEDED(hr)) hr = response->SetHeader("Content-Type", "text/plain", 10, TRUE);
        if (FAILED(hr)) return fail(context, hr);
        if (echo_) {
            /* In request memory, freed with the request. */
            buffer_ = (BYTE *)context->AllocateRequestMemory(kBufferSize);
            if (!buffer_) return fail(context, E_OUTOFMEMORY);
            state_ = kReading;
        } else {
            chunk_.DataChunkType = HttpDataChunkFromMemory;
            chunk_.FromMemory.pBuffer = (PVOID)kHello;
            chunk_.FromMemory.BufferLength = sizeof kHello - 1;
            state_ = kWriting;
        }
        return run(context);
    }

    REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext *context, DWORD, BOOL,
                                                  IHttpEventProvider *,
                                                  IHttpCompletionInfo *completion) override
    {
        /* Not one of ours: nothing of this module was pending. */
        if (state_ == kIdle) return RQ_NOTIFICATION_CONTINUE;
        if (!completion) return fail(context, E_UNEXPECTED);
        if (!completed(completion->GetCompletionStatus(), completion->GetCompletionBytes()))
            return answer(context);
        return run(context);
    }

private:
    enum State { kIdle, kReading, kWriting, kFlushing, kDone, kFailed };

    State state_ = kIdle;
    /* /echo, or /hello (which writes once and flushes). */
    bool echo_ = false;
    HRESULT error_ = S_OK;
    BYTE *buffer_ = 0;
    /* What is being written: IIS may hold on to it until the write completes. */
    HTTP_DATA_CHUNK chunk_ = {};

    /* Starts the operation of the current state: its status, and what IIS says of it
       (`*bytes` when done at once, `*pending` TRUE when it will complete later). */
    HRESULT start(IHttpContext *context, DWORD *bytes, BOOL *pending)
    {
        switch (state_) {
        case kReading:
            return context->GetRequest()->ReadEntityBody(buffer_, kBufferSize, TRUE, bytes,
                                                         pending);
        case kWriting:
            return context->GetResponse()->WriteEntityChunks(&chunk_, 1, TRUE, TRUE, bytes,
                                                             pending);
        case kFlushing:
            return context->GetResponse()->Flush(TRUE, FALSE, bytes, pending);
        default:
            return E_UNEXPECTED;
        }
    }

    /* The current operation ended with `hr` after `bytes`: on to the next state; false when
       there is none (done, or failed). */
    bool completed(HRESULT hr, DWORD bytes)
    {
        if (FAILED(hr) && !(state_ == kReading && hr == kEndOfBody)) {
            error_ = hr;
            state_ = kFailed;
            return false;
        }
        switch (state_) {
        case kReading:
            /* The end of the body comes as ERROR_HANDLE_EOF, or as a read of nothing. */
            if (FAILED(hr) || !bytes) {
                state_ = kFlushing;
            } else {
                chunk_.DataChunkType = HttpDataChunkFromMemory;
                chunk_.FromMemory.pBuffer = buffer_;
                chunk_.FromMemory.BufferLength = bytes;
                state_ = kWriting;
            }
            return true;
        case kWriting:
            state_ = echo_ ? kReading : kFlushing;
            return true;
        case kFlushing:
            state_ = kDone;
            return false;
        default:
            error_ = E_UNEXPECTED;
            state_ = kFailed;
            return false;
        }
    }

    /* Runs operations until one is left pending (RQ_NOTIFICATION_PENDING: OnAsyncCompletion
       goes on) or there is no next one. */
    REQUEST_NOTIFICATION_STATUS run(IHttpContext *context)
    {
        for (;;) {
            DWORD bytes = 0;
            BOOL pending = FALSE;
            HRESULT hr = start(context, &bytes, &pending);
            if (SUCCEEDED(hr) && pending) return RQ_NOTIFICATION_PENDING;
            if (!completed(hr, bytes)) return answer(context);
        }
    }

    REQUEST_NOTIFICATION_STATUS answer(IHttpContext *context)
    {
        State state = state_;
        state_ = kIdle;
        return state == kDone ? RQ_NOTIFICATION_FINISH_REQUEST : fail(context, error_);
    }
};

class Factory final : public IHttpModuleFactory
{
public:
    HRESULT GetHttpModule(CHttpModule **module, IModuleAllocator *) override
    {
        if (!module) return E_INVALIDARG;
        *module = new EchoModule;
        return S_OK;
    }
    VOID Terminate() override { delete this; }
};

} // namespace

extern "C" __declspec(dllexport) HRESULT WINAPI RegisterModule(DWORD, IHttpModuleRegistrationInfo *info,
                                                               IHttpServer *)
{
    if (!info) return E_INVALIDARG;
    return info->SetRequestNotifications(new Factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
