package io.decree.ingest;

import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request body the server cannot read is the client's fault: 400 with the reason, never a 500 without a log line.
 * Quarkus REST's multipart parser throws a plain {@link IOException} when a body ends before its closing boundary (an
 * interrupted or truncated upload), and a message-less {@link MultipartParser.MalformedMessageException} for a part
 * header it cannot parse (a bare LF inside a quoted file name); an I/O failure anywhere else stays a server error.
 */
public class UnreadableRequests {
    private static final Logger LOG = Logger.getLogger(UnreadableRequests.class);

    @ServerExceptionMapper
    public Response unreadable(IOException e) {
        if (!fromMultipartParser(e)) {
            LOG.errorf(e, "I/O failure handling a request");
            return Response.serverError().entity(Registrar.Outcome.rejected("server error: " + e.getMessage())).build();
        }
        LOG.infof("refused an unreadable multipart body: %s", e.getMessage());
        return Response.status(400).entity(Registrar.Outcome.rejected("the multipart/form-data body could not be read ("
                + e.getMessage() + "): resend the whole file")).build();
    }

    @ServerExceptionMapper
    public Response malformed(MultipartParser.MalformedMessageException e) {
        LOG.infof("refused a malformed multipart body");
        return Response.status(400).entity(Registrar.Outcome.rejected("the multipart/form-data body is malformed (a part "
                + "header that cannot be parsed, e.g. a line break inside a file name)")).build();
    }

    private static boolean fromMultipartParser(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().contains(".multipart.") || f.getClassName().endsWith("FormBodyHandler")) {
                return true;
            }
        }
        return false;
    }
}
