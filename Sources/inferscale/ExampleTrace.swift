/// The trace `inferscale decide` replays when no `--trace` is given: an idle revision that
/// gets a steady load, then a burst that trips panic mode, then goes quiet until it scales
/// to zero, and finally wakes up through the activator. Concurrency is a revision total.
let exampleTrace = """
    # time_s,concurrency,ready_pods — ready_pods is ignored: the example runs with --follow-desired
    time_s,concurrency,ready_pods
    0,0,1
    11,50,1
    40,120,1
    70,130,1
    100,600,1
    130,640,1
    160,200,1
    200,90,1
    240,0,1
    401,35,1
    430,0,1
    """

/// Seconds newly wanted pods take to become ready in the example.
let exampleFollowDesiredSeconds = 6
