//! Decoded frames into one wgpu texture, updated in place with `queue.write_texture` and
//! registered with egui once (again only when the picture's size changes).

use eframe::egui_wgpu::RenderState;
use eframe::wgpu;
use flick_native::media::VideoFrame;

/// The texture the video surface draws.
pub struct VideoTexture {
    texture: wgpu::Texture,
    id: egui::TextureId,
    width: u32,
    height: u32,
}

impl VideoTexture {
    /// What the video view needs: egui's id for the texture and the picture's size.
    pub fn view(&self) -> (egui::TextureId, u32, u32) {
        (self.id, self.width, self.height)
    }
}

fn create(render: &RenderState, width: u32, height: u32) -> (wgpu::Texture, wgpu::TextureView) {
    let texture = render.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("flick-video"),
        size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8Unorm,
        usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        view_formats: &[],
    });
    let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
    (texture, view)
}

/// Copy `frame` into `slot`'s texture, creating or resizing it first when needed. Frames that
/// are not RGBA, or shorter than their size says, are skipped.
pub fn upload(render: &RenderState, slot: &mut Option<VideoTexture>, frame: &VideoFrame) {
    let info = frame.info();
    let (width, height, stride) = (info.width, info.height, frame.stride());
    if !frame.is_rgba() || width == 0 || height == 0 || frame.data().len() < stride * height as usize {
        return;
    }
    let resized = slot.as_ref().is_none_or(|t| t.width != width || t.height != height);
    if resized {
        let (texture, view) = create(render, width, height);
        let mut renderer = render.renderer.write();
        let id = match slot.as_ref() {
            Some(old) => {
                renderer.update_egui_texture_from_wgpu_texture(
                    &render.device,
                    &view,
                    wgpu::FilterMode::Linear,
                    old.id,
                );
                old.id
            }
            None => renderer.register_native_texture(&render.device, &view, wgpu::FilterMode::Linear),
        };
        *slot = Some(VideoTexture { texture, id, width, height });
    }
    let Some(target) = slot.as_ref() else { return };
    render.queue.write_texture(
        wgpu::TexelCopyTextureInfo {
            texture: &target.texture,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        &frame.data()[..stride * height as usize],
        wgpu::TexelCopyBufferLayout {
            offset: 0,
            bytes_per_row: Some(stride as u32),
            rows_per_image: Some(height),
        },
        wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
    );
}
