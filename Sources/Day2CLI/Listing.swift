/// Fetching lists with the API's conventions: `filter`, `orderBy`, `pageSize`, `offset`, and `--all` paging.
enum Listing {
    /// The API's largest offset; `--all` cannot page past it.
    static let maximumOffset = 10_000

    /// `user` and `extra` joined with AND (either may be absent).
    static func combine(_ user: String?, _ extra: String?) -> String? {
        switch (user, extra) {
        case (nil, nil): nil
        case (let only?, nil), (nil, let only?): only
        case (let user?, let extra?): "(\(user)) AND \(extra)"
        }
    }

    /// One page, or every page with `--all`; the response has the API's shape (`{<key>: [...], totalElements,
    /// hasNext}`), with all pages' items when `--all` is given.
    static func fetch(
        _ client: APIClient,
        path: String,
        key: String,
        options: ListOptions,
        extraFilter: String? = nil,
        defaultOrder: String? = nil,
        extraQuery: [(String, String)] = [],
        context: CLIContext
    ) async throws(CLIError) -> (response: JSONValue, items: [JSONValue]) {
        var query = extraQuery
        if let filter = combine(options.filter, extraFilter) { query.append(("filter", filter)) }
        if let order = options.orderBy ?? defaultOrder { query.append(("orderBy", order)) }
        guard options.all else {
            if let size = options.pageSize { query.append(("pageSize", String(size))) }
            if let offset = options.offset { query.append(("offset", String(offset))) }
            let response = try await client.get(path, query: query)
            let items = response[key].array
            if response["hasNext"] == .bool(true) {
                let next = (options.offset ?? 0) + items.count
                context.errors.line(
                    "showing \(items.count) of \(response["totalElements"].text); use --all, or --offset \(next) for the next page"
                )
            }
            return (response, items)
        }
        let size = options.pageSize ?? 100
        var offset = options.offset ?? 0
        var items: [JSONValue] = []
        var total = JSONValue.int(0)
        while true {
            let page = try await client.get(
                path,
                query: query + [("pageSize", String(size)), ("offset", String(offset))]
            )
            let pageItems = page[key].array
            items += pageItems
            total = page["totalElements"]
            offset += pageItems.count
            guard page["hasNext"] == .bool(true), !pageItems.isEmpty else { break }
            guard offset <= maximumOffset else {
                context.errors.line(
                    "stopped after \(items.count) items: the API pages only up to offset \(maximumOffset); narrow the list with --filter"
                )
                break
            }
        }
        return (.object([(key, .array(items)), ("totalElements", total), ("hasNext", .bool(false))]), items)
    }
}
