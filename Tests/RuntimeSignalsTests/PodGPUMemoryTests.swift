import Exposition
import PodTestKit
import RuntimeSignals
import Testing

/// GPU memory joined to pods from the agent's and dcgm-exporter's series, pure.
@Suite struct PodGPUMemoryTests {
    func parse(_ text: String) throws -> ParsedExposition {
        var parser = ExpositionParser(format: .prometheusText)
        return try parser.parse(text)
    }

    func pod(_ name: String, _ namespace: String = "llm") -> PodGPUMemory.Pod {
        PodGPUMemory.Pod(namespace: namespace, name: name)
    }

    /// An agent's body as `inferscale agent` writes it (docs/gpu.md): three GPUs held by three pods, one free.
    static let agent = """
        # TYPE inferscale_gpu_up gauge
        inferscale_gpu_up{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="a-0",container="server"} 1
        inferscale_gpu_up{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 1
        inferscale_gpu_up{gpu="2",uuid="GPU-2",model="H100",allocation="exclusive",namespace="llm",pod="b-0",container="server"} 1
        inferscale_gpu_up{gpu="3",uuid="GPU-3",model="H100",allocation="free"} 1
        # TYPE inferscale_gpu_memory_used_ratio gauge
        inferscale_gpu_memory_used_ratio{gpu="0",uuid="GPU-0",model="H100",allocation="exclusive",namespace="llm",pod="a-0",container="server"} 0.9
        inferscale_gpu_memory_used_ratio{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 0.5
        inferscale_gpu_memory_used_ratio{gpu="2",uuid="GPU-2",model="H100",allocation="exclusive",namespace="llm",pod="b-0",container="server"} 0.25
        inferscale_gpu_memory_used_ratio{gpu="3",uuid="GPU-3",model="H100",allocation="free"} 0.01

        """

    @Test func eachTargetGetsItsOwnPodsGPUs() throws {
        var memory = PodGPUMemory()
        memory.addAgent(try parse(Self.agent))
        let a = try #require(memory.reading(of: [pod("a-0"), pod("a-1")]))
        #expect(a.max == 0.9)
        #expect(abs(a.mean - 0.7) < 1e-12)
        #expect(a.missing.isEmpty)
        #expect(a.pods.keys.sorted() == [pod("a-0"), pod("a-1")])
        let b = try #require(memory.reading(of: [pod("b-0")]))
        #expect(b.max == 0.25 && b.mean == 0.25)
        #expect(memory.reading(of: pod("b-0"))?.devices == 1)
    }

    @Test func aGPUWithoutAReadingMakesItsPodMissingNeverZero() throws {
        var memory = PodGPUMemory()
        memory.addAgent(try parse(Self.agent.replacingOccurrences(
            of: #"inferscale_gpu_up{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 1"#,
            with: #"inferscale_gpu_up{gpu="1",uuid="GPU-1",model="H100",allocation="exclusive",namespace="llm",pod="a-1",container="server"} 0"#)))
        #expect(memory.reading(of: pod("a-1")) == nil)
        let a = try #require(memory.reading(of: [pod("a-0"), pod("a-1")]))
        #expect(a.max == 0.9 && a.mean == 0.9)
        #expect(a.missing == [pod("a-1")])
        #expect(memory.reading(of: [pod("a-1")]) == nil)  // no pod with a reading: the signal is missing
    }

    @Test func aPodWithOneGoodAndOneMissingGPUIsMissing() throws {
        var memory = PodGPUMemory()
        memory.addAgent(try parse("""
            inferscale_gpu_up{uuid="GPU-0",namespace="llm",pod="tp-0",container="server",allocation="exclusive"} 1
            inferscale_gpu_up{uuid="GPU-1",namespace="llm",pod="tp-0",container="server",allocation="exclusive"} 1
            inferscale_gpu_memory_used_ratio{uuid="GPU-0",namespace="llm",pod="tp-0",container="server",allocation="exclusive"} 0.4

            """))
        #expect(memory.reading(of: pod("tp-0")) == nil)
    }

    @Test func migSlicesAreTheirPodsDevices() throws {
        var memory = PodGPUMemory()
        memory.addAgent(try parse("""
            inferscale_gpu_up{gpu="2",uuid="GPU-2",model="A100",allocation="mig"} 1
            inferscale_gpu_memory_used_ratio{gpu="2",uuid="GPU-2",model="A100",allocation="mig"} 0.3
            inferscale_gpu_mig_up{gpu="2",uuid="GPU-2",model="A100",mig_uuid="MIG-a",gpu_instance="1",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-0",container="main"} 1
            inferscale_gpu_mig_memory_used_ratio{gpu="2",uuid="GPU-2",model="A100",mig_uuid="MIG-a",gpu_instance="1",compute_instance="0",allocation="exclusive",namespace="batch",pod="small-0",container="main"} 0.75

            """))
        #expect(memory.reading(of: pod("small-0", "batch")) == PodGPUMemory.Reading(max: 0.75, mean: 0.75, devices: 1))
    }

    @Test func dcgmExporterFixtureWithPodLabels() throws {
        var memory = PodGPUMemory()
        memory.addDCGM(try parse(String(decoding: try Fixtures.metrics("dcgm-exporter"), as: UTF8.self)))
        // GPU 0: FB_USED 74496, FB_FREE 6543, FB_RESERVED 520 MiB; GPU 1 is held by no pod.
        let llama = pod("llama-predictor-00001-deployment-7f9c6d5b8-x2kqp")
        let reading = try #require(memory.reading(of: llama))
        #expect(abs(reading.max - 75016.0 / 81559.0) < 1e-12)
        #expect(reading.devices == 1)
        #expect(memory.devices.keys.sorted() == [llama])
    }

    @Test func dcgmWithoutFreeMemoryIsMissing() throws {
        var memory = PodGPUMemory()
        memory.addDCGM(try parse("""
            DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-0",namespace="llm",pod="a-0",container="c"} 100
            DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-1",namespace="llm",pod="a-1",container="c"} 100
            DCGM_FI_DEV_FB_FREE{gpu="1",UUID="GPU-1",namespace="llm",pod="a-1",container="c"} 300
            DCGM_FI_DEV_FB_USED{gpu="2",UUID="GPU-2",GPU_I_ID="1",namespace="llm",pod="m-0",container="c"} 10
            DCGM_FI_DEV_FB_FREE{gpu="2",UUID="GPU-2",GPU_I_ID="1",namespace="llm",pod="m-0",container="c"} 30
            DCGM_FI_DEV_FB_USED{gpu="2",UUID="GPU-2",GPU_I_ID="2",namespace="llm",pod="m-1",container="c"} 30
            DCGM_FI_DEV_FB_FREE{gpu="2",UUID="GPU-2",GPU_I_ID="2",namespace="llm",pod="m-1",container="c"} 10

            """))
        #expect(memory.reading(of: pod("a-0")) == nil)
        #expect(memory.reading(of: pod("a-1"))?.max == 0.25)
        #expect(memory.reading(of: pod("m-0"))?.max == 0.25)  // MIG slices of one GPU stay apart
        #expect(memory.reading(of: pod("m-1"))?.max == 0.75)
    }

    @Test func oneNodesExporterMissingLeavesTheOtherNodesPods() throws {
        var memory = PodGPUMemory()
        memory.addAgent(try parse(Self.agent))  // node 1; node 2's exporter failed: nothing added for it
        let mixed = try #require(memory.reading(of: [pod("b-0"), pod("c-0")]))
        #expect(mixed.max == 0.25)
        #expect(mixed.missing == [pod("c-0")])
    }
}
