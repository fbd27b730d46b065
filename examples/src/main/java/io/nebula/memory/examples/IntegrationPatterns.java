package io.nebula.memory.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.annotation.Alloc;
import io.nebula.memory.annotation.Allocator;
import io.nebula.memory.annotation.AllocatorKind;
import io.nebula.memory.annotation.MemoryScope;
import io.nebula.memory.annotation.Struct;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.pool.PoolAllocator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The allocators inside real programs: a request-scoped arena behind the JDK's HTTP server, an abstract syntax
 * tree built in a bump arena by a recursive-descent parser, and connection records in a pool whose scopes give
 * them back.
 */
public final class IntegrationPatterns {

    private IntegrationPatterns() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws Exception if the server, the client or the handler thread fails
     */
    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the example, printing to {@code out}.
     *
     * @param out where to print
     * @throws Exception if the server, the client or the handler thread fails
     */
    public static void run(PrintStream out) throws Exception {
        out.println("== integration patterns");
        httpServer(out);
        expressionTrees(out);
        connectionPool(out);
        out.println();
    }

    // ---------------------------------------------------------------------------------------------------------
    // (a) A request-scoped arena in an HTTP server.

    /**
     * One line of an order, as the handler parses it out of the request body.
     *
     * @param sku the article number
     * @param quantity how many
     * @param priceCents the unit price in cents
     */
    @Struct
    record OrderLine(int sku, int quantity, long priceCents) {
    }

    /**
     * What pricing an order found.
     *
     * @param lines the number of order lines
     * @param totalCents the total price in cents
     * @param largestSku the article of the line that costs the most
     * @param arenaBytes the bytes in the arena at the end of the request
     */
    record Receipt(int lines, long totalCents, int largestSku, long arenaBytes) {
        @Override
        public String toString() {
            return String.format("total %d.%02d, top sku %d, %d bytes in use", totalCents / 100,
                    totalCents % 100, largestSku, arenaBytes);
        }
    }

    /**
     * Prices orders posted as lines of {@code "sku quantity priceCents"}. Each request is parsed into
     * {@link OrderLine} structs in a 4 KiB arena that {@link #price(String)} releases when it returns or throws, so
     * the arena bounds what one request may allocate and is empty again between requests.
     *
     * <p>The generated {@code IntegrationPatterns_OrderHandler_Memory} is confined to the thread that created it,
     * as its {@link BumpAllocator} is. The server therefore runs every exchange on one executor thread, and the
     * handler is created and closed on that same thread. Declaring it {@code threadSafe} instead would let any
     * thread call it, but a scope on a thread-safe bump arena releases what every thread allocated since it opened:
     * only requests that never overlap could share it.
     */
    @Allocator(kind = AllocatorKind.BUMP, size = 4096, trackStats = true)
    abstract static class OrderHandler implements HttpHandler {

        /** For the generated subclass. */
        OrderHandler() {
        }

        /**
         * The arena, implemented by the generated subclass.
         *
         * @return the arena
         */
        protected abstract BumpAllocator allocator();

        /**
         * An order line in the arena, its fields set by parameter name.
         *
         * @param sku the article number
         * @param quantity how many
         * @param priceCents the unit price in cents
         * @return a view of the new struct
         */
        @Alloc
        protected abstract IntegrationPatterns_OrderLineStruct.View orderLine(int sku, int quantity, long priceCents);

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            String reply;
            try {
                Receipt receipt = price(body);
                status = 200;
                reply = receipt.toString();
            } catch (AllocationException e) {
                if (e.code() != ErrorCode.OUT_OF_MEMORY) {
                    throw e;
                }
                status = 413;
                reply = "too many lines: " + e.details();
            } catch (IllegalArgumentException e) {
                status = 400;
                reply = e.getMessage();
            }
            reply += ", " + allocator().usedBytes() + " after, on " + Thread.currentThread().getName();
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream response = exchange.getResponseBody()) {
                response.write(bytes);
            }
        }

        /**
         * Parses every line of the order into a struct in the arena, then prices the order.
         *
         * @param body the request body
         * @return the receipt
         * @throws IllegalArgumentException if a line is malformed
         * @throws AllocationException if the order does not fit in the arena
         */
        @MemoryScope
        Receipt price(String body) {
            String[] lines = body.split("\n");
            IntegrationPatterns_OrderLineStruct.View largest = null;
            long total = 0;
            for (int i = 0; i < lines.length; i++) {
                IntegrationPatterns_OrderLineStruct.View line = parse(lines[i], i + 1);
                long cost = line.quantity() * line.priceCents();
                total += cost;
                if (largest == null || cost > largest.quantity() * largest.priceCents()) {
                    largest = line;
                }
            }
            return new Receipt(lines.length, total, largest.sku(), allocator().usedBytes());
        }   // every order line is released here, on return and on throw

        private IntegrationPatterns_OrderLineStruct.View parse(String text, int number) {
            String[] fields = text.trim().split(" +");
            if (fields.length != 3) {
                throw new IllegalArgumentException("line " + number + ": expected \"sku quantity priceCents\", got \""
                        + text + "\"");
            }
            return orderLine(number(fields[0], "sku", number), number(fields[1], "quantity", number),
                    number(fields[2], "priceCents", number));
        }

        private static int number(String field, String name, int line) {
            try {
                return Integer.parseInt(field);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + line + ": " + name + " \"" + field + "\" is not a number",
                        e);
            }
        }
    }

    private static void httpServer(PrintStream out) throws Exception {
        StringBuilder bulk = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            bulk.append(4000 + i).append(" 1 100\n");
        }
        List<String> orders = List.of(
                "1001 2 1250\n1002 1 499\n1003 10 99",
                "2001 1 15000",
                "3001 2 500\n3002 two 700",
                bulk.toString(),
                "5001 3 333\n5002 4 250");
        out.println("  HTTP server on 127.0.0.1 (ephemeral port), POST /orders, a 4 KiB arena scoped to each request:");
        try (ExecutorService handlerThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("orders-handler").factory())) {
            // The handler is confined to its creating thread: create it on the thread that runs the exchanges,
            // which is also the thread that closes it.
            IntegrationPatterns_OrderHandler_Memory handler =
                    handlerThread.submit(IntegrationPatterns_OrderHandler_Memory::create).get();
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
                try {
                    server.setExecutor(handlerThread);
                    server.createContext("/orders", handler);
                    server.start();
                    sendOrders(out, orders, URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                            + "/orders"));
                    AllocationStatistics stats =
                            handlerThread.submit(() -> handler.allocator().statistics().orElseThrow()).get();
                    out.printf("    arena over %d requests: %d allocations, %d failed, peak %d bytes, %d scope"
                                    + " releases, %d bytes in use%n", orders.size(), stats.allocations(),
                            stats.failedAllocations(), stats.peakBytes(), stats.resets(), stats.currentBytes());
                } finally {
                    server.stop(0);                                 // no exchange runs after this returns
                }
            } finally {
                handlerThread.submit(handler::close).get();
            }
        }
        out.println("    server stopped, handler closed on its own thread");
    }

    /** Posts each order from a client in this program and prints the server's answer. */
    private static void sendOrders(PrintStream out, List<String> orders, URI uri)
            throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build()) {
            for (String order : orders) {
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(order))
                        .build();
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                out.printf("    %3d line(s) -> %d %s%n", order.split("\n").length,
                        response.statusCode(), response.body());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (b) An abstract syntax tree in a bump arena.

    /**
     * A node of an arithmetic expression tree. Children are byte offsets of other nodes in the same arena.
     *
     * @param op {@code '#'} for a number, {@code '~'} for negation (child in {@code left}), else the operator
     * @param left the offset of the left operand, or -1
     * @param right the offset of the right operand, or -1
     * @param value the number, for {@code '#'}
     */
    @Struct
    record Node(char op, int left, int right, long value) {
    }

    /**
     * A recursive-descent parser of integer arithmetic ({@code + - * /}, unary minus, parentheses) that writes its
     * tree into an arena through one generated view, moved from node to node: one {@code allocateOffset} per node
     * and no other allocation. The tree lives until the arena is reset.
     */
    static final class ExpressionParser {
        private static final char NUMBER = '#';
        private static final char NEGATE = '~';

        private final BumpAllocator arena;
        private final IntegrationPatterns_NodeStruct.View cursor;
        private final String text;
        private int position;
        private int nodes;
        private int root;

        private ExpressionParser(BumpAllocator arena, String text) {
            this.arena = arena;
            this.cursor = IntegrationPatterns_NodeStruct.view(arena.segment());
            this.text = text;
        }

        /**
         * Parses {@code text} into {@code arena}.
         *
         * @param arena where the nodes go
         * @param text the expression
         * @return the parser, holding the tree's root offset and node count
         * @throws IllegalArgumentException on a syntax error, naming the position
         */
        static ExpressionParser parse(BumpAllocator arena, String text) {
            ExpressionParser parser = new ExpressionParser(arena, text);
            parser.root = parser.expression();
            parser.skipSpaces();
            if (parser.position != text.length()) {
                throw parser.error("end of input");
            }
            return parser;
        }

        /** The offset of the root node in the arena's segment. */
        int root() {
            return root;
        }

        /** The number of nodes in the tree. */
        int nodes() {
            return nodes;
        }

        // expression := term (('+' | '-') term)*
        private int expression() {
            int left = term();
            for (char c = peek(); c == '+' || c == '-'; c = peek()) {
                position++;
                left = node(c, left, term(), 0);
            }
            return left;
        }

        // term := factor (('*' | '/') factor)*
        private int term() {
            int left = factor();
            for (char c = peek(); c == '*' || c == '/'; c = peek()) {
                position++;
                left = node(c, left, factor(), 0);
            }
            return left;
        }

        // factor := number | '(' expression ')' | '-' factor
        private int factor() {
            char c = peek();
            if (c == '(') {
                position++;
                int inner = expression();
                if (peek() != ')') {
                    throw error("')'");
                }
                position++;
                return inner;
            }
            if (c == '-') {
                position++;
                return node(NEGATE, factor(), -1, 0);
            }
            if (c >= '0' && c <= '9') {
                long value = 0;
                while (position < text.length() && Character.isDigit(text.charAt(position))) {
                    value = Math.addExact(Math.multiplyExact(value, 10), text.charAt(position++) - '0');
                }
                return node(NUMBER, -1, -1, value);
            }
            throw error("a number, '(' or '-'");
        }

        private int node(char op, int left, int right, long value) {
            int offset = Math.toIntExact(arena.allocateOffset(IntegrationPatterns_NodeStruct.SIZE,
                    IntegrationPatterns_NodeStruct.ALIGNMENT));
            cursor.moveTo(offset).op(op).left(left).right(right).value(value);
            nodes++;
            return offset;
        }

        private char peek() {
            skipSpaces();
            return position < text.length() ? text.charAt(position) : '\0';
        }

        private void skipSpaces() {
            while (position < text.length() && text.charAt(position) == ' ') {
                position++;
            }
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("expected " + expected + " at position " + position);
        }

        /**
         * Evaluates the tree under {@code node} by walking the arena.
         *
         * @throws ArithmeticException on a division by zero or an overflow
         */
        long evaluate(int node) {
            char op = cursor.moveTo(node).op();
            if (op == NUMBER) {
                return cursor.value();
            }
            int rightNode = cursor.right(); // read before the recursion moves the cursor
            long left = evaluate(cursor.left());
            if (op == NEGATE) {
                return Math.negateExact(left);
            }
            long right = evaluate(rightNode);
            return switch (op) {
                case '+' -> Math.addExact(left, right);
                case '-' -> Math.subtractExact(left, right);
                case '*' -> Math.multiplyExact(left, right);
                case '/' -> left / right;
                default -> throw new IllegalStateException("corrupt node at offset " + node + ": op " + op);
            };
        }

        /** Prints the tree under {@code node} as an S-expression, by walking the arena. */
        String render(int node) {
            char op = cursor.moveTo(node).op();
            int left = cursor.left();
            int right = cursor.right(); // read before the recursion moves the cursor
            return switch (op) {
                case NUMBER -> Long.toString(cursor.value());
                case NEGATE -> "(neg " + render(left) + ")";
                default -> new StringJoiner(" ", "(", ")")
                        .add(String.valueOf(op))
                        .add(render(left))
                        .add(render(right))
                        .toString();
            };
        }
    }

    private static void expressionTrees(PrintStream out) {
        out.printf("  expression trees in a 4 KiB arena, %d-byte nodes, reset between expressions:%n",
                IntegrationPatterns_NodeStruct.SIZE);
        String[] expressions = {"1 + 2 * 3", "(1 + 2) * 3 - 4 / 2", "2 * (3 + 4) * (5 - 1)", "-(8 - 3) * 4",
                "7 / (3 - 3)", "1 + (2 * 3"};
        try (BumpAllocator arena = BumpAllocator.create(4096)) {
            for (String expression : expressions) {
                try {
                    ExpressionParser tree = ExpressionParser.parse(arena, expression);
                    String shape = String.format("%d nodes, %3d bytes: %s", tree.nodes(), arena.usedBytes(),
                            tree.render(tree.root()));
                    String value;
                    try {
                        value = "= " + tree.evaluate(tree.root());
                    } catch (ArithmeticException e) {
                        value = "fails: " + e.getMessage();
                    }
                    out.printf("    %-22s %-17s %s%n", expression, value, shape);
                } catch (IllegalArgumentException e) {
                    out.printf("    %-22s syntax error: %s (%d bytes of partial tree)%n", expression, e.getMessage(),
                            arena.usedBytes());
                } finally {
                    arena.reset();
                }
            }
            out.printf("    after the last reset: %d bytes in use%n", arena.usedBytes());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // (c) Connection records in a pool.

    /**
     * A connection record, one pool block each.
     *
     * @param id the connection number
     * @param port the remote port
     * @param bytesSent the bytes sent so far
     */
    @Struct
    record Connection(int id, int port, long bytesSent) {
    }

    /**
     * Replicates writes to a few servers, holding a connection per server for the duration of a call. The pool has
     * four connection records; a {@code @MemoryScope} method gives back every connection it took when it returns
     * or throws.
     */
    @Allocator(kind = AllocatorKind.POOL, block = Connection.class, blockCount = 4)
    abstract static class Replicator {
        private final PrintStream out;
        private int opened;

        /**
         * For the generated subclass.
         *
         * @param out where to report occupancy
         */
        Replicator(PrintStream out) {
            this.out = out;
        }

        /**
         * The pool, implemented by the generated subclass.
         *
         * @return the pool
         */
        protected abstract PoolAllocator allocator();

        /**
         * Takes a connection record from the pool.
         *
         * @param id the connection number
         * @param port the remote port
         * @return a view of the record, {@code bytesSent} zero
         */
        @Alloc
        protected abstract IntegrationPatterns_ConnectionStruct.View connect(int id, int port);

        /** How many of the pool's connection records are taken. */
        String occupancy() {
            PoolAllocator pool = allocator();
            return (pool.blockCount() - pool.freeBlocks()) + " of " + pool.blockCount() + " in use";
        }

        /**
         * Writes {@code value} to {@code replicas} servers, one connection each.
         *
         * @param value what to write
         * @param replicas how many servers
         * @return the bytes sent
         * @throws AllocationException if the pool has fewer free connections than {@code replicas}
         */
        @MemoryScope
        long replicate(String value, int replicas) {
            long sent = 0;
            for (int i = 0; i < replicas; i++) {
                IntegrationPatterns_ConnectionStruct.View connection = connect(++opened, 7000 + i);
                connection.bytesSent(connection.bytesSent() + value.length());
                sent += connection.bytesSent();
            }
            out.printf("    replicate(\"%s\", %d) holds %s%n", value, replicas, occupancy());
            return sent;
        }

        /**
         * Writes {@code value} to two servers inside a nested scope, logging it on an audit connection held for
         * the whole call.
         *
         * @param value what to write
         * @return the bytes sent, audit included
         */
        @MemoryScope
        long replicateAudited(String value) {
            IntegrationPatterns_ConnectionStruct.View audit = connect(++opened, 9000);
            long sent = replicate(value, 2);
            audit.bytesSent(sent);
            out.printf("    after the nested call the audit connection alone: %s%n", occupancy());
            return sent + audit.bytesSent();
        }
    }

    private static void connectionPool(PrintStream out) {
        out.println("  connection records in a pool of 4, given back by scopes:");
        try (IntegrationPatterns_Replicator_Memory replicator = IntegrationPatterns_Replicator_Memory.create(out)) {
            out.printf("    %s (%d-byte records)%n", replicator.occupancy(), replicator.allocator().blockSize());
            long sent = replicator.replicate("k=v", 3);
            out.printf("    returned %d bytes sent; %s%n", sent, replicator.occupancy());
            sent = replicator.replicateAudited("key=value");
            out.printf("    returned %d bytes sent; %s%n", sent, replicator.occupancy());
            try {
                replicator.replicate("x", 5);
            } catch (AllocationException e) {
                out.printf("    replicate(\"x\", 5) fails with %s on the fifth connection; %s%n", e.code(),
                        replicator.occupancy());
            }
            IntegrationPatterns_ConnectionStruct.View control = replicator.connect(0, 8000);
            out.printf("    a control connection taken outside any scope stays: %s%n", replicator.occupancy());
            replicator.allocator().deallocate(control.segment());
            out.printf("    given back with allocator().deallocate: %s%n", replicator.occupancy());
        }
    }
}
